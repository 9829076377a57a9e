import APIModel
import Manifests
import Postgres
import ServiceKit

/// A run's inputs pinned by content: each `spec.inputs[].datasetVersion` resolved, when the run
/// is written, to its dataset and sha256, so the run's record (and its evidence) names the
/// exact bytes it read even if names were ever reused elsewhere; and gated by admission: a run
/// reads Admitted and Unchecked versions only, unless its spec says
/// `allowUnadmittedInputs: true`, which its record, audit and evidence then show.
enum RunInputs {
    /// One input as the run's record keeps it.
    struct Input {
        var version: String
        var dataset: String
        var sha256: String
        var admission: AdmissionState
        var reason: String?

        var json: JSONValue {
            var members = [
                JSONMember("datasetVersion", .string(version)), JSONMember("dataset", .string(dataset)),
                JSONMember("digest", .string("sha256:" + sha256)), JSONMember("admission", .string(admission.rawValue)),
            ]
            if !admission.usable { members.append(JSONMember("admittedAnyway", .bool(true))) }
            return .object(members)
        }
    }

    static func resolve(_ spec: JSONValue, on connection: Connection) throws -> [Input] {
        try (spec["inputs"]?.strings("datasetVersion") ?? []).enumerated().map { index, version in
            guard
                let row = try connection.query(
                    "select dataset, sha256, admission, admission_reason from dataset_versions where name = $1", [version]
                ).first
            else {
                throw Problem(
                    .unprocessableContent, title: "Unknown input",
                    detail:
                        "spec.inputs[\(index)].datasetVersion names DatasetVersion \"\(version)\", which does not exist; create it first")
            }
            return Input(
                version: version, dataset: row["dataset"]!, sha256: row["sha256"]!,
                admission: AdmissionState(rawValue: row["admission"] ?? "") ?? .pending, reason: row["admission_reason"])
        }
    }

    static func allowsUnadmitted(_ spec: JSONValue) -> Bool { spec["allowUnadmittedInputs"]?.boolValue == true }

    /// Records the resolved inputs on the run's row (inside the write's transaction). A
    /// quarantined input refuses the write: such a run could never start.
    static func write(run: String, spec: JSONValue, on connection: Connection) throws {
        let inputs = try resolve(spec, on: connection)
        if !allowsUnadmitted(spec), let quarantined = inputs.first(where: { $0.admission == .quarantined }) {
            throw refusal(run, [quarantined])
        }
        try store(run, inputs, on: connection)
    }

    /// Checked again as the run starts (QUEUED → RUNNING): every input usable, or the spec
    /// allows otherwise. 409 naming each version that is not, with why. Answers the unadmitted
    /// inputs the run was allowed to read (for its audit event), and records the states seen.
    static func checkAtStart(_ record: RunRecord, on connection: Connection) throws -> [String] {
        let inputs = try resolve(record.spec, on: connection)
        let unusable = inputs.filter { !$0.admission.usable }
        if !unusable.isEmpty && !allowsUnadmitted(record.spec) { throw refusal(record.name, unusable) }
        try store(record.name, inputs, on: connection)
        return unusable.map { "\($0.version) (\($0.admission.rawValue))" }
    }

    static func store(_ run: String, _ inputs: [Input], on connection: Connection) throws {
        try connection.query("update runs set inputs = $2::jsonb where name = $1", [run, JSONValue.array(inputs.map(\.json)).jsonString()])
    }

    /// 409: "Run "x" reads DatasetVersion "churn-2026-10", which is Quarantined (evaluation ...: 3 checks failed ...)".
    static func refusal(_ run: String, _ inputs: [Input]) -> Problem {
        let each = inputs.map { input in
            "DatasetVersion \"\(input.version)\", which is \(input.admission.rawValue)" + (input.reason.map { " (\($0))" } ?? "")
        }
        let waiting = inputs.allSatisfy(\.admission.settling)
        let remedy =
            waiting
            ? "wait until its evaluation admits it (dpctl get datasetversion shows ADMISSION)"
            : "fix the data in a new version, or have an admin admit it with a reason (dpctl admit)"
        return Problem(
            .conflict, title: waiting ? "Inputs not admitted yet" : "Input quarantined",
            detail: "Run \"\(run)\" reads " + each.joined(separator: "; ") + "; " + remedy
                + ", or set spec.allowUnadmittedInputs: true to run on it anyway (recorded in the audit and the evidence)",
            extensions: [JSONMember("versions", .array(inputs.map { .string($0.version) }))])
    }
}
