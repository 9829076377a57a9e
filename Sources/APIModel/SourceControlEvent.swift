import Manifests

/// `POST /api/audit/controls`: an operator's control of a git source (suspend, resume, sync now,
/// rollback, unpin), recorded as the audit event `source-<action>` on `source/<name>`. The
/// reconciler sends it after checking the operator's token with the server (`/auth/whoami`);
/// the event's actor is that operator.
public struct SourceControlEvent: WireBody, Hashable {
    /// What the operator asked for.
    public enum Action: String, WireEnum, Hashable {
        case suspend, resume, sync, rollback, unpin
    }

    /// The source's name (a DNS subdomain).
    public var source: String
    public var action: Action
    /// Who asked: the subject the server gave for the operator's token.
    public var requestedBy: String
    /// The operator's role.
    public var role: String
    /// For `rollback`: the full 40-character commit the source is pinned to.
    public var commit: String?
    /// For `rollback` and `unpin`: the commit pinned before, if any.
    public var previous: String?

    public static let route = "/api/audit/controls"
    public static let maxText = 512

    public init(source: String, action: Action, requestedBy: String, role: String, commit: String? = nil, previous: String? = nil) {
        self.source = source
        self.action = action
        self.requestedBy = clipped(requestedBy, toUTF8Bytes: Self.maxText)
        self.role = role
        self.commit = commit
        self.previous = previous
    }

    public func validate() throws(BodyError) {
        guard StringFormat.dnsSubdomain.accepts(source) else {
            throw BodyError("source", "the source's name, \(StringFormat.dnsSubdomain.expectation)")
        }
        guard !requestedBy.isEmpty, requestedBy.utf8.count <= Self.maxText else {
            throw BodyError("requestedBy", "the operator's subject, 1 to \(Self.maxText) bytes")
        }
        guard !role.isEmpty, role.utf8.count <= 32 else { throw BodyError("role", "the operator's role") }
        for (field, value) in [("commit", commit), ("previous", previous)] {
            guard let value else { continue }
            guard value.count == 40, value.allSatisfy(\.isHexDigit) else { throw BodyError(field, "a full 40-character commit id") }
        }
        if action == .rollback, commit == nil { throw BodyError("commit", "required for rollback") }
    }
}
