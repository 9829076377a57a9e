import Audit
import Lineage
import Manifests
import Postgres
import ServiceKit

/// A version about to be recorded: uploaded (stored under `objectKey`) or external (a URL).
struct NewVersion: Sendable {
    var name: String
    var dataset: String
    var spec: JSONValue
    var labels: JSONValue = .object([])
    var annotations: JSONValue = .object([])
    var objectKey: String?
    var sha256: String
    var size: Int64?
    var contentType: String
}

/// The write shared by uploads and external versions: versions are immutable, so the same name
/// with the same content is the same version, and other content under that name is refused.
enum VersionStore {
    static func load(_ name: String, dataset: String, forUpdate: Bool = false, on connection: Connection) throws -> Row? {
        try connection.query("select \(Objects.versionColumns) from dataset_versions where name = $1 and dataset = $2\(forUpdate ? " for update" : "")",
                             [name, dataset]).first
    }

    /// The version's object and whether it was created (false: it existed with this content).
    static func record(_ version: NewVersion, actor: String, requestID: String, source: SourceContext,
                       on connection: Connection) throws -> (object: JSONValue, created: Bool) {
        try connection.query("select pg_advisory_xact_lock(hashtext($1))", ["datasetversion/" + version.name])
        if let existing = try connection.query("select \(Objects.versionColumns) from dataset_versions where name = $1", [version.name]).first {
            guard existing["dataset"] == version.dataset else {
                throw Problem(.conflict, title: "Name taken",
                              detail: "DatasetVersion \"\(version.name)\" belongs to Dataset \"\(existing["dataset"]!)\"; version names are unique across datasets, so pick another")
            }
            guard existing["sha256"] == version.sha256 else {
                throw Problem(.conflict, title: "Version is immutable",
                              detail: "DatasetVersion \"\(version.name)\" already exists with other content (sha256 \(existing["sha256"]!)); versions never change: create a new version with a new name")
            }
            return (Objects.version(existing), false)
        }
        // Lock the dataset against a concurrent delete.
        guard try !connection.query("select 1 from datasets where name = $1 for share", [version.dataset]).isEmpty else {
            throw Problem.notFound("Dataset \"\(version.dataset)\"")
        }
        try connection.query("""
            insert into dataset_versions (name, dataset, uid, labels, annotations, spec, object_key, sha256, size, content_type, created_by, updated_by)
            values ($1, $2, gen_random_uuid(), $3::jsonb, $4::jsonb, $5::jsonb, $6, $7, $8, $9, $10, $10)
            """, [version.name, version.dataset, version.labels.jsonString(), version.annotations.jsonString(), version.spec.jsonString(),
                  version.objectKey, version.sha256, version.size.map(String.init), version.contentType, actor])
        let object = Objects.version(try load(version.name, dataset: version.dataset, on: connection)!)
        try AuditLog.append(AuditDraft(actor: actor, action: "create", resource: "datasetversion/\(version.name)",
                                       requestID: requestID, after: Objects.desired(object).merging(status: object["status"]),
                                       source: source.json), on: connection)
        let node = LineageNode(kind: "datasetversion", name: version.name)
        try LineageStore.add(LineageEdge(from: LineageNode(kind: "dataset", name: version.dataset), to: node, relation: "has-version"), on: connection)
        try LineageStore.recordChange(of: node, from: source, on: connection)
        return (object, true)
    }

    /// Records `version` once per Idempotency-Key: (201 or 200, the object's JSON).
    static func write(_ version: NewVersion, idempotency: Idempotency.Key?, actor: String, requestID: String, source: SourceContext,
                      on connection: Connection) throws -> (status: Int, body: String) {
        if let idempotency, let replay = try Idempotency.replay(idempotency, on: connection) { return replay }
        let (object, created) = try record(version, actor: actor, requestID: requestID, source: source, on: connection)
        let answer = (created ? 201 : 200, object.jsonString())
        if let idempotency { try Idempotency.record(idempotency, status: answer.0, body: answer.1, on: connection) }
        return answer
    }
}

extension JSONValue {
    /// This object with a `status` member added.
    func merging(status: JSONValue?) -> JSONValue {
        guard case .object(var members) = self, let status else { return self }
        members.append(JSONMember("status", status))
        return .object(members)
    }
}
