import Curl
import Foundation

/// Where emitted events go: an HTTP collector or a JSON-lines file. A sink only writes one
/// event; `LineageEmitter` queues, retries and logs.
public protocol LineageSink: Sendable {
    /// The type and the place, never a secret: `http marquez:5000/api/v1/lineage`, `file /var/lib/ol.jsonl`.
    var label: String { get }
    /// Texts never to show in logs (the bearer key).
    var secrets: [String] { get }
    /// Delivers one event (its JSON text); a `SinkFailure` says whether another try may help.
    func deliver(_ body: [UInt8]) throws(SinkFailure)
}

/// A delivery that did not happen: why, and whether a retry may succeed.
public struct SinkFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var retryable: Bool
    public var status: Int?

    public init(_ message: String, retryable: Bool, status: Int? = nil) {
        self.message = message
        self.retryable = retryable
        self.status = status
    }

    public var description: String { message }
}
