import Curl
import Foundation
import Manifests

/// GitHub commit statuses (REST API "Create a commit status"):
/// `POST {api-url}/repos/{owner}/{repo}/statuses/{sha}` with `Authorization: Bearer <token>`,
/// `Accept: application/vnd.github+json` and `X-GitHub-Api-Version: 2022-11-28`; the body
/// `{"state", "description", "context", "target_url"}`, state one of pending, success, failure,
/// error, the description at most 140 characters. `api-url` is `https://api.github.com`, or
/// `https://HOST/api/v3` for GitHub Enterprise Server. The token needs `statuses: write`.
public struct GitHubStatuses: NotificationTarget, Hashable {
    public static let defaultAPI = "https://api.github.com"
    public static let apiVersion = "2022-11-28"
    public static let descriptionLimit = 140

    public var api: String
    /// `owner/name`.
    public var repository: String
    public var token: SecretText
    /// The status's name on the commit (`datapilot/<source>` by default); drift uses `<context>/drift`.
    public var context: String
    public var targetURL: String?
    public var events: Set<NotificationEvent.Kind>

    public init(
        api: String = Self.defaultAPI, repository: String, token: SecretText, context: String, targetURL: String? = nil,
        events: Set<NotificationEvent.Kind>
    ) {
        self.api = api.hasSuffix("/") ? String(api.dropLast()) : api
        self.repository = repository
        self.token = token
        self.context = context
        self.targetURL = targetURL
        self.events = events
    }

    public var label: String { "github \(repository)" }
    public var secrets: [String] { [token.value] }

    public func request(for event: NotificationEvent, now: Date) -> HTTPRequest {
        var members = [
            JSONMember("state", .string(event.state.rawValue)),
            JSONMember("description", .string(NotificationEvent.clip(StatusText.description(event), Self.descriptionLimit))),
            JSONMember("context", .string(event.kind.isDrift ? context + "/drift" : context)),
        ]
        if let targetURL { members.append(JSONMember("target_url", .string(StatusText.expand(targetURL, event)))) }
        return .json(
            "\(api)/repos/\(repository)/statuses/\(event.commit)", body: Array(JSONValue.object(members).jsonString().utf8),
            headers: [
                ("Accept", "application/vnd.github+json"), ("Authorization", "Bearer \(token.value)"),
                ("X-GitHub-Api-Version", Self.apiVersion),
            ])
    }
}

/// The words a commit status and a chat message use for an event.
enum StatusText {
    /// `synced: created=2, configured=1`, `invalid: examples/datasets/churn.yaml:4:9: ...`,
    /// `drift detected: dataset/churn`.
    static func description(_ event: NotificationEvent) -> String {
        switch event.kind {
        case .syncStarted: return "DataPilot is applying this commit (source \(event.source))"
        case .syncSucceeded, .syncFailed, .syncProgressing, .syncDegraded: return event.summary
        case .versionQuarantined: return "quarantined: \(event.summary)"
        case .runFailed: return "run failed: \(event.summary)"
        case .driftDetected: return "drift detected: \(event.object ?? "?")"
        case .driftHealed: return "drift healed: \(event.object ?? "?")"
        }
    }

    /// `{source}` and `{commit}` in a configured target URL.
    static func expand(_ template: String, _ event: NotificationEvent) -> String {
        template.replacingOccurrences(of: "{source}", with: event.source).replacingOccurrences(of: "{commit}", with: event.commit)
    }
}
