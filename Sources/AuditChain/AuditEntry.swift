import Crypto
import Manifests

/// One entry of the audit hash chain, as the server stores and serves it. The hash covers every
/// field but `hash` and `occurredAt`, in canonical JSON (RFC 8785), so the server and an outside
/// verifier (`dpctl audit verify`) compute it with this one definition.
public struct AuditEntry: Sendable {
    /// The previous hash of entry 1.
    public static let genesis = String(repeating: "0", count: 64)

    public var sequence: Int64
    /// ISO 8601 in UTC with microseconds, exactly as hashed.
    public var time: String
    public var actor: String
    public var action: String
    /// `dataset/churn`
    public var resource: String
    public var requestID: String
    public var outcome: String
    public var beforeDigest: String?
    public var afterDigest: String?
    public var diff: JSONValue
    public var source: JSONValue
    public var previousHash: String
    public var hash: String
    /// The time column queries filter on, as the server holds it (not hashed: it must equal `time`).
    public var occurredAt: String?

    public init(
        sequence: Int64, time: String, actor: String, action: String, resource: String, requestID: String, outcome: String,
        beforeDigest: String?, afterDigest: String?, diff: JSONValue, source: JSONValue, previousHash: String, hash: String,
        occurredAt: String? = nil
    ) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.action = action
        self.resource = resource
        self.requestID = requestID
        self.outcome = outcome
        self.beforeDigest = beforeDigest
        self.afterDigest = afterDigest
        self.diff = diff
        self.source = source
        self.previousHash = previousHash
        self.hash = hash
        self.occurredAt = occurredAt
    }

    /// The fields the hash covers.
    public var hashedContent: JSONValue {
        [
            "sequence": .int(sequence), "time": .string(time), "actor": .string(actor), "action": .string(action),
            "resource": .string(resource), "request_id": .string(requestID), "outcome": .string(outcome),
            "before_digest": beforeDigest.map(JSONValue.string) ?? .null, "after_digest": afterDigest.map(JSONValue.string) ?? .null,
            "diff": diff, "source": source, "previous_hash": .string(previousHash),
        ]
    }

    /// The hash of the content in RFC 8785 form (what new entries carry).
    public var computedHash: String { Hex.encode(SHA256.hash(data: hashedContent.canonicalJSON)) }

    /// Whether `hash` is the content's hash: in RFC 8785 form, or for an entry written before
    /// that form, in the earlier canonical form.
    public var hashMatches: Bool {
        computedHash == hash || Hex.encode(SHA256.hash(data: hashedContent.legacyCanonicalJSON)) == hash
    }

    /// What the API serves: the hashed fields, the hash and `occurred_at`.
    public var json: JSONValue {
        guard case .object(var members) = hashedContent else { return .null }
        members.append(JSONMember("hash", .string(hash)))
        if let occurredAt { members.append(JSONMember("occurred_at", .string(occurredAt))) }
        return .object(members)
    }

    /// An entry as the API serves it (`json`); `path` names it in errors (`items[3]`).
    public init(json: JSONValue, at path: String) throws(AuditChainError) {
        func text(_ key: String) throws(AuditChainError) -> String {
            guard let value = json[key]?.stringValue else {
                throw AuditChainError(.malformed, "\(path).\(key) is missing or not a string")
            }
            return value
        }
        func optionalText(_ key: String) throws(AuditChainError) -> String? {
            switch json[key] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default: throw AuditChainError(.malformed, "\(path).\(key) is not a string or null")
            }
        }
        guard case .object = json else { throw AuditChainError(.malformed, "\(path) is not an object") }
        guard case .int(let sequence)? = json["sequence"], sequence >= 1 else {
            throw AuditChainError(.malformed, "\(path).sequence is missing or not a whole number from 1")
        }
        guard let diff = json["diff"], let source = json["source"] else {
            throw AuditChainError(.malformed, "\(path) has no diff or no source")
        }
        self.init(
            sequence: sequence, time: try text("time"), actor: try text("actor"), action: try text("action"),
            resource: try text("resource"), requestID: try text("request_id"), outcome: try text("outcome"),
            beforeDigest: try optionalText("before_digest"), afterDigest: try optionalText("after_digest"),
            diff: diff, source: source, previousHash: try text("previous_hash"), hash: try text("hash"),
            occurredAt: try optionalText("occurred_at"))
    }
}
