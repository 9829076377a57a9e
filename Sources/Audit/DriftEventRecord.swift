import APIModel
import Manifests

/// `POST /api/audit/drift`: the reconciler records drift it detected on an object (the drifted
/// fields, who changed it last) and drift it healed, as audit events `drift-detected` and
/// `drift-healed` on the object (`dataset/churn`). A heal's own write is recorded by that write.
extension DriftEvent: ReportedEvent {
    static let refusal = "Bad drift event"

    func draft(actor: String, requestID: String) -> AuditDraft {
        AuditDraft(
            actor: actor, action: event.action, resource: object.description, requestID: requestID, after: record, source: origin)
    }

    /// The event's `after`: how the object drifted.
    var record: JSONValue {
        var record: [JSONMember] = [JSONMember("drift", .string(drift.rawValue))]
        let wire = json
        for key in ["fields", "changedBy", "desiredBy"] { if let value = wire[key] { record.append(JSONMember(key, value)) } }
        return .object(record)
    }

    /// The event's `source`: the reconciler, the source and the commit applied.
    var origin: JSONValue {
        var origin: [JSONMember] = [JSONMember("tool", "dpctl reconcile"), JSONMember("source", .string(source))]
        if let commit { origin.append(JSONMember("commit", .string(commit))) }
        if let repository { origin.append(JSONMember("repository", .string(repository))) }
        return .object(origin)
    }
}
