import Curl
import Foundation
import Manifests

/// GitLab commit statuses (Commits API "Set the pipeline status of a commit"):
/// `POST {api-url}/api/v4/projects/{id}/statuses/{sha}` with `PRIVATE-TOKEN: <token>` and a
/// JSON body `{"state", "name", "description", "target_url"}`; the project is its numeric id or
/// its URL-encoded path (`group%2Fname`). States are GitLab's: pending becomes `running`,
/// failure and error become `failed`. `api-url` is `https://gitlab.com` or the instance's URL.
public struct GitLabStatuses: NotificationTarget, Hashable {
    public static let defaultAPI = "https://gitlab.com"

    public var api: String
    /// A numeric id or `group/subgroup/name`.
    public var project: String
    public var token: SecretText
    public var context: String
    public var targetURL: String?
    public var events: Set<NotificationEvent.Kind>

    public init(
        api: String = Self.defaultAPI, project: String, token: SecretText, context: String, targetURL: String? = nil,
        events: Set<NotificationEvent.Kind>
    ) {
        self.api = api.hasSuffix("/") ? String(api.dropLast()) : api
        self.project = project
        self.token = token
        self.context = context
        self.targetURL = targetURL
        self.events = events
    }

    public var label: String { "gitlab \(project)" }
    public var secrets: [String] { [token.value] }

    /// GitLab's word for a state: pending, running, success, failed, canceled.
    static func state(_ state: NotificationEvent.State) -> String {
        switch state {
        case .pending: "running"
        case .success: "success"
        case .failure, .error: "failed"
        }
    }

    public func request(for event: NotificationEvent, now: Date) -> HTTPRequest {
        var members = [
            JSONMember("state", .string(Self.state(event.state))),
            JSONMember("name", .string(event.kind.isDrift ? context + "/drift" : context)),
            JSONMember("description", .string(NotificationEvent.clip(StatusText.description(event), 255))),
        ]
        if let targetURL { members.append(JSONMember("target_url", .string(StatusText.expand(targetURL, event)))) }
        let id = project.replacingOccurrences(of: "/", with: "%2F")
        return .json(
            "\(api)/api/v4/projects/\(id)/statuses/\(event.commit)", body: Array(JSONValue.object(members).jsonString().utf8),
            headers: [("PRIVATE-TOKEN", token.value)])
    }
}
