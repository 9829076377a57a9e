import Foundation
import Manifests

/// How long a run ran (`startedAt` to `finishedAt`), or has been running so far, in words people
/// read at a glance: `42 s`, `3 min 5 s`, `2 h 14 min`. "—" before it started.
enum RunDuration {
    static func text(_ status: JSONValue, now: Date = Date()) -> String {
        guard let started = status["startedAt"]?.stringValue.flatMap(date) else { return "—" }
        let finished = status["finishedAt"]?.stringValue.flatMap(date)
        let seconds = max(0, Int((finished ?? now).timeIntervalSince(started)))
        let words = format(seconds)
        return finished == nil ? "\(words) so far" : words
    }

    static func format(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: "\(seconds) s"
        case ..<3600: seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(seconds % 60) s"
        default: (seconds % 3600) / 60 == 0 ? "\(seconds / 3600) h" : "\(seconds / 3600) h \((seconds % 3600) / 60) min"
        }
    }

    /// ISO 8601 in UTC as the API writes it, with or without fractions of a second.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
