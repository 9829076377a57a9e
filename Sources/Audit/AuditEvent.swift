import AuditChain
import Manifests

/// What a mutation records about itself, written in the same transaction as the change.
public struct AuditDraft: Sendable {
    public var actor: String
    public var action: String
    /// `dataset/churn`
    public var resource: String
    public var requestID: String
    public var outcome: String
    public var before: JSONValue?
    public var after: JSONValue?
    /// Where the change came from (repository, commit, author, path, tool), as sent by the client.
    public var source: JSONValue?

    public init(
        actor: String, action: String, resource: String, requestID: String, outcome: String = "success",
        before: JSONValue? = nil, after: JSONValue? = nil, source: JSONValue? = nil
    ) {
        self.actor = actor
        self.action = action
        self.resource = resource
        self.requestID = requestID
        self.outcome = outcome
        self.before = before
        self.after = after
        self.source = source
    }
}

/// One entry of the hash chain (defined in AuditChain, which dpctl shares to verify it).
public typealias AuditEvent = AuditEntry
