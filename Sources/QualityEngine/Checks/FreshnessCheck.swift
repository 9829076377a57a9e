import Foundation
import Manifests

/// freshness: the newest parseable timestamp (or date) of the column is at most maxAge old.
/// No parseable value fails. unexpectedCount counts the non-null values that are not
/// timestamps, for information: only the age decides.
final class FreshnessCheck: RowCheck {
    let info: CheckInfo
    let columns: [String]
    var slots: [Int] = []
    private let maxAge: Double
    private let maxAgeText: String
    private var element = 0
    private var unparseable = 0
    private var newest = -Double.infinity
    private var newestText: [UInt8] = []

    init(info: CheckInfo, column: String, maxAge: Double, maxAgeText: String) {
        self.info = info
        columns = [column]
        self.maxAge = maxAge
        self.maxAgeText = maxAgeText
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool {
        let cell = cells[slots[0]]
        if cell.isNull { return false }
        element += 1
        let p = cell.pointer, n = cell.count
        guard !cell.invalid, cell.kind == .text || cell.kind == .string,
            let seconds = Timestamp.parseTimestamp(p, n) ?? Timestamp.parseDate(p, n).map(Double.init)
        else {
            unparseable += 1
            return true
        }
        if seconds > newest {
            newest = seconds
            newestText.removeAll(keepingCapacity: true)
            newestText.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
        return false
    }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        guard newest > -Double.infinity else {
            return info.judged(
                passes: false, observed: ["ageSeconds": .null, "newest": .null], element: element,
                unexpected: unparseable, message: "no parseable timestamp in \(columns[0])", samples: samples)
        }
        let age = summary.now.timeIntervalSince1970 - newest
        let newestValue = String(decoding: newestText, as: UTF8.self)
        let observed: JSONValue = ["ageSeconds": .double(age), "newest": .string(newestValue)]
        let passes = age <= maxAge
        let message = "newest \(columns[0]) is \(newestValue), \(Self.describe(age)) old; maxAge \(maxAgeText)"
        return info.judged(
            passes: passes, observed: observed, element: element, unexpected: unparseable,
            message: message, samples: samples)
    }

    static func describe(_ seconds: Double) -> String {
        let s = abs(seconds)
        let sign = seconds < 0 ? "-" : ""
        if s >= 86400 { return sign + String(format: "%.1fd", s / 86400) }
        if s >= 3600 { return sign + String(format: "%.1fh", s / 3600) }
        if s >= 60 { return sign + String(format: "%.1fm", s / 60) }
        return sign + String(format: "%.0fs", s)
    }
}
