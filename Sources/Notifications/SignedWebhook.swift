import Crypto
import Curl
import Foundation
import Manifests

/// A generic JSON webhook: `POST {url}` with the event as JSON (`id`, `event`, `state`,
/// `source`, `repository`, `commit`, `outcome`, `summary`, `error`, `object`, `counts`, `time`)
/// and these headers:
///
///     X-DataPilot-Event: sync-succeeded
///     X-DataPilot-Delivery: <the event's id, the same on every retry>
///     X-DataPilot-Timestamp: <unix seconds when this attempt was sent>
///     X-DataPilot-Signature: sha256=<hex HMAC-SHA256 over "<timestamp>.<body>" with the secret>
///
/// The receiver recomputes the HMAC over the exact bytes received, compares in constant time,
/// refuses a timestamp more than 5 minutes away and a delivery id it has seen (replays): the
/// scheme `POST /hooks/{source}` of the reconciler accepts too (`WebhookVerifier`).
public struct SignedWebhook: NotificationTarget, Hashable {
    public var url: String
    public var secret: SecretText
    public var events: Set<NotificationEvent.Kind>

    public init(url: String, secret: SecretText, events: Set<NotificationEvent.Kind>) {
        self.url = url
        self.secret = secret
        self.events = events
    }

    public var label: String { "webhook \(Endpoint.hostAndPath(url))" }
    public var secrets: [String] { [secret.value] }

    /// The event as the webhook's body.
    public static func body(_ event: NotificationEvent) -> JSONValue {
        var members = [
            JSONMember("id", .string(event.id)), JSONMember("event", .string(event.kind.rawValue)),
            JSONMember("state", .string(event.state.rawValue)), JSONMember("source", .string(event.source)),
            JSONMember("repository", .string(event.repository)), JSONMember("commit", .string(event.commit)),
        ]
        if let outcome = event.outcome { members.append(JSONMember("outcome", .string(outcome))) }
        members.append(JSONMember("summary", .string(event.summary)))
        if let detail = event.detail { members.append(JSONMember("error", .string(detail))) }
        if let object = event.object { members.append(JSONMember("object", .string(object))) }
        members.append(
            JSONMember("counts", .object(event.counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int(Int64($0.value))) })))
        members.append(JSONMember("time", .string(Endpoint.timestamp(event.time))))
        return .object(members)
    }

    /// `sha256=<hex>` over `<timestamp>.<body>`.
    public static func signature(secret: String, timestamp: String, body: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array((timestamp + ".").utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }

    public func request(for event: NotificationEvent, now: Date) -> HTTPRequest {
        let body = Array(Self.body(event).jsonString().utf8)
        let timestamp = String(Int(now.timeIntervalSince1970))
        return .json(
            url, body: body,
            headers: [
                ("X-DataPilot-Event", event.kind.rawValue), ("X-DataPilot-Delivery", event.id),
                ("X-DataPilot-Timestamp", timestamp),
                ("X-DataPilot-Signature", Self.signature(secret: secret.value, timestamp: timestamp, body: body)),
            ])
    }
}

/// URL pieces safe to show.
enum Endpoint {
    /// `host:port/path` without query or userinfo.
    static func hostAndPath(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "?" }
        return host + (components.port.map { ":\($0)" } ?? "") + components.path
    }

    static func host(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "?" }
        return host + (components.port.map { ":\($0)" } ?? "")
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
