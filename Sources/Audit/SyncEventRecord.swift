import APIModel
import Manifests

/// `POST /api/audit/syncs`: the reconciler records each sync of a source (the commit, its
/// author and message, the result and the counts by action) as an audit event `sync` on
/// `source/NAME`.
extension SyncEvent: ReportedEvent {
    static let refusal = "Bad sync event"

    func draft(actor: String, requestID: String) -> AuditDraft {
        AuditDraft(
            actor: actor, action: "sync", resource: "source/\(source)", requestID: requestID,
            outcome: result == .synced ? "success" : "failure", after: record, source: origin)
    }

    /// The event's `after`: what the sync did.
    var record: JSONValue {
        var record: [JSONMember] = [JSONMember("commit", .string(commit)), JSONMember("result", .string(result.rawValue))]
        if let message { record.append(JSONMember("message", .string(message))) }
        if let error { record.append(JSONMember("error", .string(error))) }
        if let counts {
            record.append(
                JSONMember("counts", .object(counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int(Int64($0.value))) })))
        }
        if let health { record.append(JSONMember("health", .string(health.rawValue))) }
        if let healthMessage { record.append(JSONMember("healthMessage", .string(healthMessage))) }
        return .object(record)
    }

    /// The event's `source`: the commit and where it came from.
    var origin: JSONValue {
        var origin: [JSONMember] = [JSONMember("commit", .string(commit)), JSONMember("tool", "dpctl reconcile")]
        if let repository { origin.append(JSONMember("repository", .string(repository))) }
        if let author { origin.append(JSONMember("author", .string(author))) }
        if let signer { origin.append(JSONMember("signer", .string(signer))) }
        return .object(origin)
    }
}
