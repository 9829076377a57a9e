import Curl
import Foundation
import Manifests

/// A Slack incoming webhook (or a compatible one: Mattermost, Rocket.Chat): `POST {url}` with
/// `{"text": ...}` in Slack's mrkdwn. The URL itself is the secret (it carries the token in its
/// path), so it comes from a file and only its host is ever shown.
public struct SlackWebhook: NotificationTarget, Hashable {
    public var url: SecretText
    public var events: Set<NotificationEvent.Kind>

    public init(url: SecretText, events: Set<NotificationEvent.Kind>) {
        self.url = url
        self.events = events
    }

    public var label: String { "slack \(Endpoint.host(url.value))" }
    public var secrets: [String] { [url.value, URLComponents(string: url.value)?.path ?? url.value] }

    /// `*examples* sync failed at `3f2c1ab9d0e1`: invalid: examples/datasets/churn.yaml:4:9: ...`
    static func text(_ event: NotificationEvent) -> String {
        let commit = "`\(event.commit.prefix(12))`"
        let what =
            switch event.kind {
            case .syncStarted: "sync started at \(commit)"
            case .syncSucceeded: "sync succeeded at \(commit): \(event.summary)"
            case .syncFailed: "sync failed at \(commit): \(event.summary)"
            case .syncProgressing: "applied \(commit), waiting: \(event.summary)"
            case .syncDegraded: "sync degraded at \(commit): \(event.summary)"
            case .versionQuarantined: "version quarantined (desired: \(commit)): \(event.summary)"
            case .runFailed: "run failed (desired: \(commit)): \(event.summary)"
            case .driftDetected: "drift detected on \(event.object ?? "?") (desired: \(commit))"
            case .driftHealed: "drift healed on \(event.object ?? "?") (desired: \(commit))"
            }
        return "DataPilot: source *\(escape(event.source))* \(escape(what))"
    }

    /// Slack's three control characters in message text.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }

    public func request(for event: NotificationEvent, now: Date) -> HTTPRequest {
        let body = JSONValue.object([JSONMember("text", .string(Self.text(event)))])
        return .json(url.value, body: Array(body.jsonString().utf8), headers: [])
    }
}
