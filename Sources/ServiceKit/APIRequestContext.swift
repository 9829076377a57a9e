import APIModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Manifests
import NIOCore

/// The request context of every DataPilot route: Hummingbird's core storage, the request id
/// (echoed in responses, logs and audit events) and the authenticated principal.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String
    public var principal: Principal?
    /// The client connection the request came on.
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        requestID = UUID().uuidString.lowercased()
        principal = nil
    }

    /// Bodies are streamed by the routes that take large ones; JSON bodies are capped here.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller, if they may act as `role`; otherwise a 401 (no credentials) or 403 problem.
    @discardableResult
    public func require(_ role: Role) throws -> Principal {
        guard let principal else {
            throw Problem(
                .unauthorized, title: "Authentication required",
                detail: "send an Authorization: Bearer header with a token from /auth/token or an API key")
        }
        guard principal.role.satisfies(role) else {
            throw Problem(
                .forbidden, title: "Forbidden",
                detail: "\(principal.subject) has role \(principal.role.rawValue); this needs \(role.rawValue)")
        }
        return principal
    }

    /// The caller, if it may record provenance: sync and drift events are nothing but a claim
    /// about where a change came from, so they need the `provenance` scope.
    @discardableResult
    public func requireProvenance() throws -> Principal {
        let principal = try require(.editor)
        guard principal.assertsProvenance else {
            throw Problem(
                .forbidden, title: "Forbidden",
                detail: """
                    \(principal.subject) has no provenance scope; only the reconciler's key records syncs and drift. \
                    An admin makes one with POST /auth/api-keys {"name": "reconciler", "role": "executor", "scopes": ["provenance"]}
                    """)
        }
        return principal
    }
}

/// Where a change came from, as the client says (the reconciler sends the commit): recorded
/// in the audit event, never trusted for authorisation. Only a principal that `assertsProvenance`
/// makes it the record; anyone else's headers are kept as `claimed` and nothing reads them as
/// provenance (lineage's commit edges, drift's "who changed it", `exclude_tool`).
public struct SourceContext: Sendable, Hashable {
    public var repository: String?
    public var commit: String?
    public var author: String?
    public var path: String?
    public var tool: String?
    /// True when the caller may not assert provenance: the values are a claim.
    public var claimed: Bool
    public var committer: String?
    public var merge: String?
    public var attribution: String?

    public init(request: Request, principal: Principal) {
        func header(_ header: ProvenanceHeader) -> String? {
            guard let name = HTTPField.Name(header.rawValue), let value = request.headers[name] else { return nil }
            return String(value.prefix(ProvenanceHeader.maxValue))
        }
        repository = header(.repository)
        commit = header(.commit)
        author = header(.author)
        path = header(.path)
        tool = header(.tool)
        committer = header(.committer)
        merge = header(.merge)
        attribution = header(.attribution)
        claimed = !principal.assertsProvenance
    }

    public var isEmpty: Bool { [repository, commit, author, path, tool, committer, merge, attribution].allSatisfy { $0 == nil } }

    /// The commit the change came from, when the server trusts the caller to say so.
    public var assertedCommit: String? { claimed ? nil : commit.flatMap { $0.isEmpty ? nil : $0 } }

    /// The merge that brought it onto the branch, when the server trusts the caller to say so.
    public var assertedMerge: String? { claimed ? nil : merge.flatMap { $0.isEmpty ? nil : $0 } }
}

extension SourceContext {
    /// The audit event's `source` member.
    public var json: JSONValue {
        var members: [JSONMember] = []
        if let repository { members.append(JSONMember("repository", .string(repository))) }
        if let commit { members.append(JSONMember("commit", .string(commit))) }
        if let author { members.append(JSONMember("author", .string(author))) }
        if let path { members.append(JSONMember("path", .string(path))) }
        if let tool { members.append(JSONMember("tool", .string(tool))) }
        if let committer { members.append(JSONMember("committer", .string(committer))) }
        if let merge { members.append(JSONMember("merge", .string(merge))) }
        if let attribution { members.append(JSONMember("attribution", .string(attribution))) }
        if claimed { return members.isEmpty ? .object([]) : .object([JSONMember("claimed", .object(members))]) }
        return .object(members)
    }
}
