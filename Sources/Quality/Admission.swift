import APIModel
import Audit
import Manifests
import Postgres
import ServiceKit

/// The moves of a DatasetVersion's admission state, each inside the caller's transaction and
/// each audited: queued again when its dataset's rules change, Evaluating when a worker claims
/// its evaluation, Admitted or Quarantined by the evaluation that was last asked to decide it
/// (an older one finishing late decides nothing), and an admin's override with a reason.
enum Admission {
    /// The quality rules of `dataset` changed (created, updated or deleted): its versions that
    /// were Unchecked and its latest version go back to Pending, so the workers evaluate them
    /// against the rules as they are now. An evaluation already running decides nothing then.
    static func rulesChanged(dataset: String, rule: String, on connection: Connection) throws {
        try connection.query(
            """
            update dataset_versions set admission = 'Pending', admission_evaluation = null, admission_failures = '[]',
                admission_reason = $2, admission_changed_at = now(), admission_changed_by = 'system:quality'
            where dataset = $1 and object_key is not null
              and (admission = 'Unchecked'
                   or name = (select name from dataset_versions where dataset = $1 and object_key is not null
                              order by created_at desc, name desc limit 1))
            """, [dataset, "QualityRule \"\(rule)\" changed: evaluating again"])
    }

    /// A worker took `evaluation`, which decides `version`'s admission: Evaluating.
    static func evaluating(_ version: String, evaluation: String, on connection: Connection) throws {
        try connection.query(
            """
            update dataset_versions set admission = 'Evaluating', admission_evaluation = $2, admission_reason = null,
                admission_failures = '[]', admission_changed_at = now(), admission_changed_by = 'system:quality'
            where name = $1
            """, [version, evaluation])
    }

    /// `evaluation` finished with `outcome`: Admitted for PASSED and WARNED, Quarantined for
    /// FAILED and ERROR, naming the checks that failed or errored. Nothing when another
    /// evaluation was asked to decide meanwhile. Answers the new state, if it changed.
    @discardableResult
    static func decide(
        _ version: String, evaluation: String, outcome: String, failures: [JSONValue], error: String? = nil, requestID: String,
        on connection: Connection
    ) throws -> AdmissionState? {
        let admitted = outcome == "PASSED" || outcome == "WARNED"
        let state: AdmissionState = admitted ? .admitted : .quarantined
        let reason =
            admitted
            ? "evaluation \(evaluation) \(outcome.lowercased())"
            : error.map { "evaluation \(evaluation) could not evaluate the data: \($0)" } ?? Self.describe(failures, evaluation: evaluation)
        let rows = try connection.query(
            """
            update dataset_versions set admission = $3, admission_reason = $4, admission_failures = $5::jsonb,
                admission_changed_at = now(), admission_changed_by = 'system:quality'
            where name = $1 and admission_evaluation = $2 and admission = 'Evaluating'
            returning dataset
            """, [version, evaluation, state.rawValue, String(reason.prefix(2000)), JSONValue.array(failures).jsonString()])
        guard !rows.isEmpty else { return nil }
        try audit(
            version, to: state, actor: "system:quality", reason: reason, evaluation: evaluation, failures: failures,
            requestID: requestID, on: connection)
        return state
    }

    /// An admin's decision: Admitted or Quarantined with a reason, whatever the evaluations said.
    /// A queued or running evaluation then decides nothing.
    static func override(
        _ version: String, to state: AdmissionState, reason: String, actor: String, requestID: String, on connection: Connection
    ) throws {
        guard
            let row = try connection.query("select admission from dataset_versions where name = $1 for update", [version]).first
        else { throw Problem.notFound("DatasetVersion \"\(version)\"") }
        try connection.query(
            """
            update dataset_versions set admission = $2, admission_evaluation = null, admission_reason = $3, admission_failures = '[]',
                admission_changed_at = now(), admission_changed_by = $4
            where name = $1
            """, [version, state.rawValue, reason, actor])
        try audit(
            version, to: state, actor: actor, reason: reason, evaluation: nil, failures: [], requestID: requestID,
            before: row["admission"], on: connection)
    }

    /// "3 checks failed: churn-rules/rows (rowCount), ..." from the failing checks of an evaluation.
    static func describe(_ failures: [JSONValue], evaluation: String) -> String {
        let names = failures.prefix(5).map { check in
            "\(check["rule"]?.stringValue ?? "?")/\(check["check"]?.stringValue ?? "?") (\(check["type"]?.stringValue ?? "?"))"
        }
        let more = failures.count > 5 ? " and \(failures.count - 5) more" : ""
        let count = "\(failures.count) check\(failures.count == 1 ? "" : "s") failed"
        return "evaluation \(evaluation): \(count): " + names.joined(separator: ", ") + more
    }

    /// The checks of an evaluation's summary that failed or errored, as admission records them.
    static func failures(inSummary checks: [JSONValue]) -> [JSONValue] {
        checks.compactMap { check -> JSONValue? in
            guard let outcome = check["outcome"]?.stringValue, outcome == "FAILED" || outcome == "ERROR" else { return nil }
            var members = [
                JSONMember("rule", check["rule"] ?? .null), JSONMember("check", check["check"] ?? .null),
                JSONMember("type", check["type"] ?? .null), JSONMember("outcome", .string(outcome)),
            ]
            if let message = check["message"]?.stringValue { members.append(JSONMember("message", .string(String(message.prefix(500))))) }
            return .object(members)
        }
    }

    static func audit(
        _ version: String, to state: AdmissionState, actor: String, reason: String, evaluation: String?, failures: [JSONValue],
        requestID: String, before: String? = "Evaluating", on connection: Connection
    ) throws {
        var after: [JSONMember] = [JSONMember("admission", .string(state.rawValue)), JSONMember("reason", .string(reason))]
        if let evaluation { after.append(JSONMember("evaluation", .string(evaluation))) }
        if !failures.isEmpty { after.append(JSONMember("failedChecks", .array(failures))) }
        try AuditLog.append(
            AuditDraft(
                actor: actor, action: state == .admitted ? "admit" : "quarantine",
                resource: ObjectRef(.datasetVersion, version).description, requestID: requestID,
                before: before.map { ["admission": .string($0)] }, after: .object(after)), on: connection)
    }
}
