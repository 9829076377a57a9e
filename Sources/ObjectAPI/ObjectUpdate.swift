import Audit
import HTTPTypes
import Hummingbird
import Lineage
import Manifests
import Postgres
import ServiceKit

extension ObjectRoutes {
    /// `PUT` of the object named `name` (with `parent`, one that belongs to it): If-Match checked,
    /// written-once fields refused or kept (`ResourceTable.immutability`), and nothing written
    /// (no new resourceVersion, no audit event) when the user-owned part is unchanged.
    public func update(
        _ request: Request, _ context: APIRequestContext, name: String, parent: String? = nil,
        dryRun: Bool
    ) async throws -> Response {
        let principal = try context.require(.editor)
        let manifest = try await request.manifest(of: table.kind, context: context)
        guard manifest.name == name else {
            throw Problem(
                .unprocessableContent, title: "Name mismatch",
                detail: "the body names \(table.describe(manifest.name)) but the URL names \"\(name)\"; names cannot be changed")
        }
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request, principal: principal)
        let requestID = context.requestID
        let table = self.table
        let object = try await pool.withTransaction(dryRun: dryRun) { connection -> JSONValue in
            guard let current = try table.load(name, parent: parent, forUpdate: true, on: connection) else {
                throw Problem.notFound(table.describe(name, parent: parent))
            }
            try Precondition.check(ifMatch, etag: ObjectJSON.etag(current))
            try table.authorize(principal, current["spec"], manifest.spec)
            let spec =
                try table.immutability?.spec(updating: current, to: manifest.spec, describedAs: table.describe(name)) ?? manifest.spec
            let desired = UserOwned.make(name: .string(name), metadata: manifest.metadata, spec: spec)
            let before = UserOwned.of(current)
            // Same content: nothing to write, no new resourceVersion, no audit event.
            if before.canonicalJSON == desired.canonicalJSON { return current }
            try connection.query(
                """
                update \(table.table) set labels = $2::jsonb, annotations = $3::jsonb, spec = $4::jsonb,
                    resource_version = resource_version + 1, updated_at = now(), updated_by = $5
                where name = $1
                """,
                [
                    name, desired["metadata"]?["labels"]?.jsonString(), desired["metadata"]?["annotations"]?.jsonString(),
                    spec.jsonString(), principal.subject,
                ])
            try table.link(name, spec: spec, on: connection)
            try table.onWrite(name, current["spec"], spec, connection)
            try LineageStore.recordChange(of: table.node(name), from: source, on: connection)
            let updated = try table.load(name, on: connection)!
            try AuditLog.append(
                AuditDraft(
                    actor: principal.subject, action: "update", resource: table.resource(name), requestID: requestID,
                    before: before, after: desired, source: source.json), on: connection)
            return updated
        }
        return Response.json(object, headers: [.eTag: ObjectJSON.etag(object)])
    }
}
