import APIModel
import Manifests

/// What happened to one object, in kubectl's words.
public enum ApplyOutcome: String, Sendable, Hashable {
    case created, configured, unchanged, pruned, deleted, refused, failed, skipped

    public var isFailure: Bool { self == .refused || self == .failed || self == .skipped }
}

public struct ApplyResult: Sendable {
    public var ref: ObjectRef
    public var outcome: ApplyOutcome
    public var changes: [JSONChange]
    /// Why it was refused, failed or skipped.
    public var message: String?

    public init(ref: ObjectRef, outcome: ApplyOutcome, changes: [JSONChange] = [], message: String? = nil) {
        self.ref = ref
        self.outcome = outcome
        self.changes = changes
        self.message = message
    }

    public var json: JSONValue {
        var members = [JSONMember("object", .string(ref.description)), JSONMember("result", .string(outcome.rawValue))]
        if !changes.isEmpty { members.append(JSONMember("changes", .array(changes.map(\.json)))) }
        if let message { members.append(JSONMember("message", .string(message))) }
        return .object(members)
    }
}
