import HTTPTypes
import Hummingbird
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
            return try table.updateRow(current, to: manifest, principal: principal, source: source, requestID: requestID, on: connection)
                ?? current
        }
        return Response.json(object, headers: [.eTag: ObjectJSON.etag(object)])
    }
}
