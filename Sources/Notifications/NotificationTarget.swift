import Curl
import Foundation

/// Where a source's events go. A target only builds requests (to the one URL it was configured
/// with); `Notifier` sends them, retries and logs. Concrete targets are values (`TargetSetting`).
public protocol NotificationTarget: Sendable {
    /// The type and the place, never a secret: `github acme/data`, `slack hooks.slack.com`.
    var label: String { get }
    /// The events it is told.
    var events: Set<NotificationEvent.Kind> { get }
    /// The request telling it `event` (signed at `now` where it is signed).
    func request(for event: NotificationEvent, now: Date) -> HTTPRequest
    /// Texts never to show in logs or the delivery log (tokens, a secret URL).
    var secrets: [String] { get }
}

/// Anything that takes events off the sync path (the `Notifier`; nothing in tests of the loop).
public protocol NotificationSink: Sendable {
    /// Queues `event` for the source's targets and returns at once.
    func notify(_ event: NotificationEvent)
}

/// A secret read from a file or the environment: shown as `***` by `description`,
/// `debugDescription` and reflection, so a configuration printed or dumped shows no token.
public struct SecretText: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

extension HTTPRequest {
    /// A JSON POST with the headers every target sends.
    static func json(_ url: String, body: [UInt8], headers: [(String, String)]) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/json"), ("User-Agent", "datapilot-reconciler")] + headers,
            body: .bytes(body), timeoutSeconds: 15)
    }
}
