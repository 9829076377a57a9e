import Audit
import HTTPTypes
import Hummingbird
import Lineage
import Manifests
import Postgres
import ServiceKit

/// Create, get, list, update and delete for one kind of object, the same for every kind:
/// ETag / If-Match, paging, label selectors, Idempotency-Key on create, `?dryRun=true` on
/// writes, and each change audited, referenced and linked in its own transaction. A kind with
/// routes of its own (DatasetVersions, below their dataset) calls the same create, get and
/// update from them.
public struct ObjectRoutes: Sendable {
    let pool: ConnectionPool
    let table: ResourceTable

    public init(pool: ConnectionPool, table: ResourceTable) {
        self.pool = pool
        self.table = table
    }

    public func register(on router: APIRouter) {
        let item = table.collection + "/:name"
        router.post(table.collection, DryRun.route { request, context, dryRun in try await create(request, context, dryRun: dryRun) })
        router.get(table.collection) { request, context in try await list(request, context) }
        router.get(item) { _, context in try await get(context, name: try context.parameters.require("name")) }
        router.put(
            item,
            DryRun.route { request, context, dryRun in
                try await update(request, context, name: try context.parameters.require("name"), dryRun: dryRun)
            })
        router.delete(item, DryRun.route { request, context, dryRun in try await delete(request, context, dryRun: dryRun) })
    }

    /// The object with its ETag; with `parent`, only if it belongs to that parent.
    public func get(_ context: APIRequestContext, name: String, parent: String? = nil) async throws -> Response {
        try context.require(.viewer)
        let table = self.table
        guard let object = try await pool.withConnection({ try table.load(name, parent: parent, on: $0) }) else {
            throw Problem.notFound(table.describe(name, parent: parent))
        }
        return Response.json(object, headers: [.eTag: ObjectJSON.etag(object)])
    }

    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let page = try PageRequest(request: request)
        let selector = try request.labelSelector
        let table = self.table
        let filters = try ListFilter.requested(by: request, from: table.listFilters)
        let counted = try ListFilter.wantsCount(request)
        let (rows, total) = try await pool.withConnection { connection in
            try (
                ObjectList.rows(of: table.table, columns: table.columns, page: page, selector: selector, filters: filters, on: connection),
                counted ? ObjectList.count(of: table.table, selector: selector, filters: filters, on: connection) : nil
            )
        }
        return ObjectList.response(rows, page: page, total: total, item: table.render)
    }

    func delete(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let name = try context.parameters.require("name")
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request, principal: principal).json
        let requestID = context.requestID
        let table = self.table
        try await pool.withTransaction(dryRun: dryRun) { connection in
            guard let current = try table.load(name, forUpdate: true, on: connection) else {
                throw Problem.notFound(table.describe(name))
            }
            try Precondition.check(ifMatch, etag: ObjectJSON.etag(current))
            try table.beforeDelete(name, connection)
            try ObjectReferences.refuseDeleteIfReferenced(table.node(name), describedAs: table.describe(name), on: connection)
            try connection.query("delete from \(table.table) where name = $1", [name])
            try Idempotency.forget(object: table.resource(name), on: connection)
            try ObjectReferences.remove(from: table.node(name), on: connection)
            try LineageStore.remove(node: table.node(name), on: connection)
            try AuditLog.append(
                AuditDraft(
                    actor: principal.subject, action: "delete", resource: table.resource(name), requestID: requestID,
                    before: UserOwned.of(current), source: source), on: connection)
        }
        return Response(status: .noContent)
    }
}
