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

/// One entry of the hash chain.
public struct AuditEvent: Sendable {
    public var sequence: Int64
    /// ISO 8601 in UTC with microseconds, exactly as hashed.
    public var time: String
    public var actor: String
    public var action: String
    public var resource: String
    public var requestID: String
    public var outcome: String
    public var beforeDigest: String?
    public var afterDigest: String?
    public var diff: JSONValue
    public var source: JSONValue
    public var previousHash: String
    public var hash: String

    /// The fields the hash covers, in canonical JSON.
    var hashedContent: JSONValue {
        [
            "sequence": .int(sequence), "time": .string(time), "actor": .string(actor), "action": .string(action),
            "resource": .string(resource), "request_id": .string(requestID), "outcome": .string(outcome),
            "before_digest": beforeDigest.map(JSONValue.string) ?? .null, "after_digest": afterDigest.map(JSONValue.string) ?? .null,
            "diff": diff, "source": source, "previous_hash": .string(previousHash),
        ]
    }

    public var json: JSONValue {
        guard case .object(var members) = hashedContent else { return .null }
        members.append(JSONMember("hash", .string(hash)))
        return .object(members)
    }
}
