import Audit
import Hummingbird
import Lineage
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

extension VersionRoutes {
    /// `PUT /api/datasets/{name}/versions/{version}`: a version's labels, annotations and
    /// description may change; its dataset and content never do. `spec.source.path` is where the
    /// client found the file, so it is not compared.
    func update(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let (dataset, name) = (try context.parameters.require("name"), try context.parameters.require("version"))
        let manifest = try await request.manifest(of: .datasetVersion, context: context)
        guard manifest.name == name else {
            throw Problem(.unprocessableContent, title: "Name mismatch",
                          detail: "the body names DatasetVersion \"\(manifest.name)\" but the URL names \"\(name)\"; names cannot be changed")
        }
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request)
        let requestID = context.requestID
        let object = try await pool.withTransaction(dryRun: dryRun) { connection -> JSONValue in
            guard let row = try VersionStore.load(name, dataset: dataset, forUpdate: true, on: connection) else {
                throw Problem.notFound("DatasetVersion \"\(name)\" of Dataset \"\(dataset)\"")
            }
            let current = Objects.version(row)
            try Precondition.check(ifMatch, etag: ObjectJSON.etag(current))
            let storedSpec = current["spec"] ?? .object([])
            try Self.checkImmutable(manifest.spec, stored: storedSpec, sha256: row["sha256"]!, name: name)

            let labels = manifest.metadata["labels"] ?? .object([])
            let annotations = manifest.metadata["annotations"] ?? .object([])
            var spec = (storedSpec.objectValue ?? []).filter { $0.key != "description" }
            if let description = manifest.spec["description"] { spec.insert(JSONMember("description", description), at: min(1, spec.count)) }
            let desired = ObjectJSON.desired(.object([
                JSONMember("metadata", ["name": .string(name), "labels": labels, "annotations": annotations]),
                JSONMember("spec", .object(spec)),
            ]))
            let before = ObjectJSON.desired(current)
            // Same content: nothing to write, no new resourceVersion, no audit event.
            if before.canonicalJSON == desired.canonicalJSON { return current }
            try connection.query("""
                update dataset_versions set labels = $2::jsonb, annotations = $3::jsonb, spec = $4::jsonb,
                    resource_version = resource_version + 1, updated_at = now(), updated_by = $5
                where name = $1
                """, [name, labels.jsonString(), annotations.jsonString(), JSONValue.object(spec).jsonString(), principal.subject])
            try LineageStore.recordChange(of: LineageNode(kind: "datasetversion", name: name), from: source, on: connection)
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "update", resource: "datasetversion/\(name)", requestID: requestID,
                                           before: before, after: desired, source: source.json), on: connection)
            return Objects.version(try VersionStore.load(name, dataset: dataset, on: connection)!)
        }
        return Response.json(object, headers: [.eTag: ObjectJSON.etag(object)])
    }

    /// A different dataset, digest or URL is a different version: 409.
    static func checkImmutable(_ spec: JSONValue, stored: JSONValue, sha256: String, name: String) throws {
        var changed: String?
        if spec["dataset"] != stored["dataset"] {
            changed = "spec.dataset (\(stored["dataset"]?.stringValue ?? "") here, \(spec["dataset"]?.stringValue ?? "") in the body)"
        } else if let sha = spec["source"]?["sha256"]?.stringValue, sha != sha256 {
            changed = "spec.source.sha256 (\(sha256) here, \(sha) in the body)"
        } else if let url = spec["source"]?["url"]?.stringValue, url != stored["source"]?["url"]?.stringValue {
            changed = "spec.source.url (\(stored["source"]?["url"]?.stringValue ?? "none") here, \(url) in the body)"
        }
        guard let changed else { return }
        throw Problem(.conflict, title: "Version is immutable",
                      detail: "DatasetVersion \"\(name)\" differs in \(changed); versions never change: create a new version with a new name")
    }
}
