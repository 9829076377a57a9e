import APIModel
import Manifests

/// `POST /api/audit/controls`: an operator's control of a source becomes the audit event
/// `source-<action>` on `source/NAME`. Its actor is the operator the reconciler checked the
/// token of (a key with the `provenance` scope asserts it, as it asserts a commit's author);
/// `after.reportedBy` is the reconciler's key.
extension SourceControlEvent: ReportedEvent {
    static let refusal = "Bad source control event"

    func draft(actor: String, requestID: String) -> AuditDraft {
        var after: [JSONMember] = [
            JSONMember("action", .string(action.rawValue)), JSONMember("requestedBy", .string(requestedBy)),
            JSONMember("role", .string(role)), JSONMember("reportedBy", .string(actor)),
        ]
        if let commit { after.append(JSONMember("commit", .string(commit))) }
        if let previous { after.append(JSONMember("previous", .string(previous))) }
        return AuditDraft(
            actor: requestedBy, action: "source-\(action.rawValue)", resource: "source/\(source)", requestID: requestID,
            after: .object(after))
    }
}
