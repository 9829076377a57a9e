import Foundation
import Manifests
import ServiceKit

/// A batch of metric points as posted: at most 1000, each a key, a finite value, a step and a
/// timestamp (epoch milliseconds, as MLflow sends them, or RFC 3339).
struct MetricBatch: Sendable {
    struct Point: Sendable {
        var key: String
        var value: Double
        var step: Int64
        var millis: Int64
    }

    static let maxPoints = 1000
    var points: [Point]

    init(_ body: JSONValue) throws {
        guard let items = body["metrics"]?.arrayValue else {
            throw Self.bad("send {\"metrics\": [{\"key\": \"loss\", \"value\": 0.4, \"step\": 1, \"timestamp\": 1764180000000}, ...]}")
        }
        guard !items.isEmpty else { throw Self.bad("the batch is empty; send 1 to \(Self.maxPoints) points") }
        guard items.count <= Self.maxPoints else {
            throw Self.bad("a batch holds at most \(Self.maxPoints) points; this one has \(items.count)")
        }
        points = try items.enumerated().map { index, item in
            let at = "metrics[\(index)]"
            guard let key = item["key"]?.stringValue, !key.isEmpty, key.utf8.count <= 250 else {
                throw Self.bad("\(at).key must be a string of 1 to 250 bytes")
            }
            guard let value = item["value"]?.numberValue, value.isFinite else { throw Self.bad("\(at).value must be a finite number") }
            var step: Int64 = 0
            if let raw = item["step"] {
                guard let n = raw.numberValue, n == n.rounded(), abs(n) < 9e15 else { throw Self.bad("\(at).step must be a whole number") }
                step = Int64(n)
            }
            guard let millis = try Self.millis(item["timestamp"], at: "\(at).timestamp") else {
                throw Self.bad("\(at).timestamp is required (epoch milliseconds or RFC 3339): it makes a retried batch add nothing")
            }
            return Point(key: key, value: value, step: step, millis: millis)
        }
    }

    /// Epoch milliseconds from a number or an RFC 3339 string.
    static func millis(_ value: JSONValue?, at path: String) throws -> Int64? {
        guard let value else { return nil }
        if let n = value.numberValue, n == n.rounded(), n >= 0, n < 1e15 { return Int64(n) }
        if let text = value.stringValue, let date = RFC3339.parse(text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        throw bad("\(path) must be epoch milliseconds or an RFC 3339 time such as 2026-11-26T18:00:00.250Z")
    }

    static func bad(_ detail: String) -> Problem {
        Problem(.unprocessableContent, title: "Bad metrics batch", detail: detail)
    }
}

/// RFC 3339 times with or without fractional seconds.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
