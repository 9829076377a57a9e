import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// Version rows as API objects: the manifest's shape plus server-owned metadata and status.
enum Objects {
    static let versionColumns =
        ObjectJSON.columns + ", dataset, object_key, sha256, size, content_type, admission, admission_evaluation, admission_reason, "
        + "admission_failures::text as admission_failures, admission_changed_by, \(SQLTime.utc("admission_changed_at"))"

    static func version(_ row: Row) -> JSONValue {
        var status = [JSONMember("sha256", .string(row["sha256"]!))]
        // External versions (a URL and its digest) have no stored object, so no size.
        if let size = row.int("size") { status.append(JSONMember("size", .int(size))) }
        status.append(JSONMember("contentType", .string(row["content_type"]!)))
        status.append(JSONMember("stored", .bool(row["object_key"] != nil)))
        status.append(JSONMember("admission", admission(row)))
        // The columns every object has, as every kind reads them, then the version's status.
        guard case .object(var members) = ObjectJSON.object(row, kind: .datasetVersion) else { return .null }
        members.append(JSONMember("status", .object(status)))
        return .object(members)
    }

    /// `status.admission`: the state, the evaluation that decided it, why, the checks that
    /// failed, and who changed it when.
    static func admission(_ row: Row) -> JSONValue {
        var members = [JSONMember("state", .string(row["admission"] ?? "Unchecked"))]
        if let evaluation = row["admission_evaluation"] { members.append(JSONMember("evaluation", .string(evaluation))) }
        if let reason = row["admission_reason"] { members.append(JSONMember("reason", .string(reason))) }
        if case .array(let failures) = ObjectJSON.parse(row["admission_failures"]), !failures.isEmpty {
            members.append(JSONMember("failedChecks", .array(failures)))
        }
        if let by = row["admission_changed_by"] { members.append(JSONMember("changedBy", .string(by))) }
        if let at = row["admission_changed_at"] { members.append(JSONMember("changedAt", .string(at))) }
        return .object(members)
    }
}
