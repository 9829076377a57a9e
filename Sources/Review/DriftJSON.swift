import APIModel
import Manifests
import SyncEngine

extension DriftReport {
    /// `-o json`.
    public var json: JSONValue {
        var members: [JSONMember] = [
            JSONMember("scope", .string(scope)), JSONMember("commit", commit.map(JSONValue.string) ?? .null),
            JSONMember("applyset", applySet.map(JSONValue.string) ?? .null), JSONMember("time", .string(time)),
            JSONMember("scanned", .int(Int64(scanned))), JSONMember("ignored", .int(Int64(ignored))),
            JSONMember("drifted", .int(Int64(items.count))), JSONMember("healed", .int(Int64(healedCount))),
            JSONMember("objects", .array(items.map(\.json))),
        ]
        if !warnings.isEmpty { members.append(JSONMember("warnings", .array(warnings.map(JSONValue.string)))) }
        return .object(members)
    }
}

extension DriftItem {
    public var json: JSONValue {
        var members = [
            JSONMember("object", .string(ref.description)), JSONMember("drift", .string(kind.rawValue)),
            JSONMember("mode", .string(mode.rawValue)),
        ]
        members.append(
            JSONMember(
                "fields",
                .array(
                    fields.map { field in
                        var entry = [JSONMember("path", .string(field.path))]
                        entry.append(JSONMember("desired", field.desired ?? .null))
                        entry.append(JSONMember("live", field.live ?? .null))
                        return .object(entry)
                    })))
        if let change = lastChange {
            var by = [
                JSONMember("actor", .string(change.actor)), JSONMember("time", .string(change.time)),
                JSONMember("action", .string(change.action)), JSONMember("requestId", .string(change.requestID)),
            ]
            if let tool = change.tool { by.append(JSONMember("tool", .string(tool))) }
            members.append(JSONMember("changedBy", .object(by)))
        }
        if let healed { members.append(JSONMember("healed", .bool(healed))) }
        if let note { members.append(JSONMember("note", .string(note))) }
        return .object(members)
    }
}

extension DriftKind {
    /// Words for people.
    public var phrase: String {
        switch self {
        case .modified: return "modified"
        case .deleted: return "deleted out of band"
        case .createdOutOfBand: return "created out of band"
        }
    }
}

extension JSONValue {
    /// A value as one line for reports: strings bare, the rest as JSON; `(absent)` for nil.
    static func shown(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        if case .string(let text) = value { return text }
        return value.jsonString()
    }
}
