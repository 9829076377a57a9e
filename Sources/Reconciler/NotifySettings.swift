import Foundation
import Manifests
import Notifications
import Redaction
import Settings

extension Secrets {
    /// A source's `notify:` list, each entry a target:
    ///
    ///     notify:
    ///       - {type: github, repository: acme/data, token-file: /run/secrets/github-token}
    ///       - {type: gitlab, project: acme/data, token-file: /run/secrets/gitlab-token, api-url: https://gitlab.example.com}
    ///       - {type: webhook, url: https://hooks.example.com/datapilot, secret-file: /run/secrets/hook-secret}
    ///       - {type: slack, url-file: /run/secrets/slack-webhook-url, events: [sync-failed, drift-detected]}
    ///
    /// Tokens, webhook secrets and Slack URLs come from files or variables, never inline; each
    /// mistake names the file, the setting and the source. The URLs a target may reach are the
    /// ones written here (only the operator who writes this file chooses them).
    func notifications(_ item: JSONValue?, at where_: String, source name: String) throws -> [TargetSetting] {
        guard let item else { return [] }
        guard let entries = item.arrayValue else {
            throw SettingError("\(file): \(where_) (source \"\(name)\"): expected a list of targets such as [{type: github, ...}]")
        }
        return try entries.enumerated().map { index, entry in try target(entry, at: "\(where_)[\(index)]", source: name) }
    }

    func target(_ item: JSONValue, at where_: String, source name: String) throws -> TargetSetting {
        func fail(_ field: String?, _ text: String) -> SettingError {
            SettingError("\(file): \(where_)\(field.map { "." + $0 } ?? "") (source \"\(name)\"): \(text)")
        }
        guard let members = item.objectValue else {
            throw fail(nil, "expected a mapping such as {type: github, repository: owner/name, token-file: FILE}")
        }
        guard let type = item["type"]?.stringValue else {
            throw fail("type", "is required: one of \(TargetSetting.types.joined(separator: ", "))")
        }
        let secretKey = ["github": "token", "gitlab": "token", "webhook": "secret", "slack": "url"][type]
        guard let secretKey else {
            throw fail("type", "\"\(type)\" is not one of \(TargetSetting.types.joined(separator: ", "))")
        }
        let fields =
            [
                "github": ["repository", "api-url", "context", "target-url"], "gitlab": ["project", "api-url", "context", "target-url"],
                "webhook": ["url"], "slack": [],
            ][type]!
        let known = ["type", "events", secretKey + "-file", secretKey + "-env"] + fields
        if item[secretKey] != nil {
            let what = type == "slack" ? "the Slack webhook URL (it carries the token)" : "the \(secretKey)"
            throw fail(
                secretKey,
                "put \(what) in a file (\(secretKey)-file) or an environment variable (\(secretKey)-env), not in the sources file")
        }
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw fail(nil, "unknown setting \"\(unknown.key)\" for type \(type)\(Suggest.hint(for: unknown.key, in: known))")
        }
        func text(_ key: String) throws -> String? {
            guard let value = item[key] else { return nil }
            guard let text = value.stringValue, !text.isEmpty else { throw fail(key, "expected a string") }
            return text
        }
        let secretText: String
        do {
            guard let read = try read(item, secretKey, at: where_ + "." + secretKey) else {
                throw fail(secretKey + "-file", "is required (or \(secretKey)-env): \(Self.secretPurpose[type]!)")
            }
            secretText = read
        } catch let error as SettingError where !error.description.contains("(source \"") {
            throw SettingError(error.description + " (source \"\(name)\")")
        }
        let events = try self.events(item["events"], type: type, fail: fail)
        let secret = SecretText(secretText)
        let context = try text("context") ?? "datapilot/\(name)"
        let targetURL = try text("target-url")
        if let targetURL { try Self.checkURL(targetURL, field: "target-url", fail: fail, secret: false) }
        switch type {
        case "github":
            guard let repository = try text("repository") else { throw fail("repository", "is required: owner/name on GitHub") }
            guard Self.ownerAndName(repository) else { throw fail("repository", "\"\(repository)\" is not owner/name") }
            let api = try text("api-url") ?? GitHubStatuses.defaultAPI
            try Self.checkURL(api, field: "api-url", fail: fail, secret: true)
            return .github(
                GitHubStatuses(api: api, repository: repository, token: secret, context: context, targetURL: targetURL, events: events))
        case "gitlab":
            guard let project = try text("project") else { throw fail("project", "is required: the project's id or path (group/name)") }
            guard Self.projectPath(project) else {
                throw fail("project", "\"\(project)\" is not a project id or a path such as group/name")
            }
            let api = try text("api-url") ?? GitLabStatuses.defaultAPI
            try Self.checkURL(api, field: "api-url", fail: fail, secret: true)
            return .gitlab(
                GitLabStatuses(api: api, project: project, token: secret, context: context, targetURL: targetURL, events: events))
        case "webhook":
            guard let url = try text("url") else { throw fail("url", "is required: where to POST the events") }
            try Self.checkURL(url, field: "url", fail: fail, secret: true)
            return .webhook(SignedWebhook(url: url, secret: secret, events: events))
        default:
            // --check reads no secret: the URL is checked where the reconciler runs.
            if readSecrets { try Self.checkURL(secretText, field: "url-file", fail: fail, secret: true, show: false) }
            return .slack(SlackWebhook(url: secret, events: events))
        }
    }

    static let secretPurpose = [
        "github": "a token allowed to write commit statuses", "gitlab": "a token with the api scope",
        "webhook": "the shared secret the payload is signed with (HMAC-SHA256)", "slack": "the incoming webhook's URL",
    ]

    func events(
        _ value: JSONValue?, type: String, fail: (String?, String) -> SettingError
    ) throws -> Set<NotificationEvent.Kind> {
        guard let value else { return TargetSetting.defaultEvents(type) }
        let words = NotificationEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let list = value.arrayValue, !list.isEmpty else { throw fail("events", "expected a list of events: \(words)") }
        var events: Set<NotificationEvent.Kind> = []
        for item in list {
            guard let word = item.stringValue, let kind = NotificationEvent.Kind(rawValue: word) else {
                throw fail("events", "\"\(item.stringValue ?? item.jsonString())\" is not one of \(words)")
            }
            events.insert(kind)
        }
        return events
    }

    /// http(s) only, no credentials in it; plain http only to this machine (tests, a local relay):
    /// a token or a signed payload never crosses a network in clear text.
    static func checkURL(
        _ url: String, field: String, fail: (String?, String) -> SettingError, secret: Bool, show: Bool = true
    ) throws {
        let shown = show ? "\"\(url)\"" : "the URL in the file"
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty, ["http", "https"].contains(scheme)
        else { throw fail(field, "\(shown) is not an http(s) URL") }
        guard components.user == nil, components.password == nil else {
            throw fail(
                field, "\(show ? "\"\(Redact.credentials(url))\"" : shown) carries credentials; give them with the target's -file setting")
        }
        if secret, scheme == "http", !["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) {
            throw fail(field, "\(shown) is plain http to another host; use https (tokens and signatures must not travel in clear text)")
        }
    }

    static func ownerAndName(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(Self.nameCharacter) }
    }

    static func projectPath(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(Self.nameCharacter) }
    }

    static func nameCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || "-_.".contains(c)) }
}
