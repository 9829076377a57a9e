import Audit
import Foundation
import HTTPTypes
import Hummingbird
import Lineage
import Manifests
import Postgres
import ServiceKit

/// Create, get, list, update and delete for one kind of object, the same for every kind:
/// ETag / If-Match, paging, label selectors, Idempotency-Key on create, `?dryRun=true` on
/// writes, and each change audited, referenced and linked in its own transaction.
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
        router.get(item) { _, context in
            try context.require(.viewer)
            let name = try context.parameters.require("name")
            guard let object = try await pool.withConnection({ [table] in try table.load(name, on: $0) }) else {
                throw Problem.notFound(table.describe(name))
            }
            return Response.json(object, headers: [.eTag: ObjectJSON.etag(object)])
        }
        router.put(item, DryRun.route { request, context, dryRun in try await update(request, context, dryRun: dryRun) })
        router.delete(item, DryRun.route { request, context, dryRun in try await delete(request, context, dryRun: dryRun) })
    }

    func create(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let body = try await request.jsonBody(context: context)
        let manifest: Manifest
        switch APIDecoding.decode(body, kind: table.kind) {
        case .success(let m): manifest = m
        case .failure(let invalid): throw Problem.invalid(invalid)
        }
        let idempotency = try Idempotency.key(request, principal: principal, route: "POST \(table.collection)", body: body)
        let outcome = try await create(manifest, principal: principal, idempotency: idempotency, source: SourceContext(request: request),
                                       requestID: context.requestID, dryRun: dryRun)
        return Response.stored(outcome, location: "\(table.collection)/\(manifest.name)")
    }

    /// Creates `manifest` in one transaction (its references, lineage and audit event with it);
    /// `extra` runs in that transaction too. Answers (201, the object) or an idempotent replay.
    public func create(_ manifest: Manifest, principal: Principal, idempotency: Idempotency.Key?, source: SourceContext,
                       requestID: String, dryRun: Bool,
                       extra: @escaping @Sendable (Connection) throws -> Void = { _ in }) async throws -> (status: Int, body: String) {
        let table = self.table
        let name = manifest.name
        try table.authorize(principal, nil, manifest.spec)
        let outcome: (status: Int, body: String, created: Bool) = try await pool.withTransaction(dryRun: dryRun) { connection in
            if let idempotency, let replay = try Idempotency.replay(idempotency, on: connection) { return (replay.status, replay.body, false) }
            if try table.load(name, on: connection) != nil {
                throw Problem(.conflict, title: "Already exists",
                              detail: "\(table.describe(name)) already exists; update it with PUT \(table.collection)/\(name)")
            }
            try connection.query("""
                insert into \(table.table) (name, uid, labels, annotations, spec, created_by, updated_by)
                values ($1, gen_random_uuid(), $2::jsonb, $3::jsonb, $4::jsonb, $5, $5)
                """, [name, (manifest.metadata["labels"] ?? .object([])).jsonString(),
                      (manifest.metadata["annotations"] ?? .object([])).jsonString(), manifest.spec.jsonString(), principal.subject])
            try table.link(name, spec: manifest.spec, on: connection)
            try table.onWrite(name, nil, manifest.spec, connection)
            try extra(connection)
            try LineageStore.recordChange(of: table.node(name), from: source, on: connection)
            let object = try table.load(name, on: connection)!
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "create", resource: table.resource(name),
                                           requestID: requestID, after: ObjectJSON.desired(object), source: source.json), on: connection)
            let answer = (201, object.jsonString())
            if let idempotency { try Idempotency.record(idempotency, status: answer.0, body: answer.1, on: connection) }
            return (answer.0, answer.1, true)
        }
        if outcome.created && !dryRun { await table.afterCreate(name, manifest.spec) }
        return (outcome.status, outcome.body)
    }

    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let page = try PageRequest(request: request)
        let selector = try request.labelSelector
        let table = self.table
        let rows = try await pool.withConnection { connection in
            try ObjectList.rows(of: table.table, columns: ObjectJSON.columns, page: page, selector: selector, on: connection)
        }
        return ObjectList.response(rows, page: page) { ObjectJSON.object($0, kind: table.kind) }
    }

    func update(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let name = try context.parameters.require("name")
        let manifest = try await request.manifest(of: table.kind, context: context)
        guard manifest.name == name else {
            throw Problem(.unprocessableContent, title: "Name mismatch",
                          detail: "the body names \(table.describe(manifest.name)) but the URL names \"\(name)\"; names cannot be changed")
        }
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request)
        let requestID = context.requestID
        let table = self.table
        let object = try await pool.withTransaction(dryRun: dryRun) { connection -> JSONValue in
            guard let current = try table.load(name, forUpdate: true, on: connection) else {
                throw Problem.notFound(table.describe(name))
            }
            try Precondition.check(ifMatch, etag: ObjectJSON.etag(current))
            try table.authorize(principal, current["spec"], manifest.spec)
            let labels = manifest.metadata["labels"] ?? .object([])
            let annotations = manifest.metadata["annotations"] ?? .object([])
            let desired = ObjectJSON.desired(.object([
                JSONMember("metadata", ["name": .string(name), "labels": labels, "annotations": annotations]),
                JSONMember("spec", manifest.spec),
            ]))
            let before = ObjectJSON.desired(current)
            // Same content: nothing to write, no new resourceVersion, no audit event.
            if before.canonicalJSON == desired.canonicalJSON { return current }
            try connection.query("""
                update \(table.table) set labels = $2::jsonb, annotations = $3::jsonb, spec = $4::jsonb,
                    resource_version = resource_version + 1, updated_at = now(), updated_by = $5
                where name = $1
                """, [name, labels.jsonString(), annotations.jsonString(), manifest.spec.jsonString(), principal.subject])
            try table.link(name, spec: manifest.spec, on: connection)
            try table.onWrite(name, current["spec"], manifest.spec, connection)
            try LineageStore.recordChange(of: table.node(name), from: source, on: connection)
            let updated = try table.load(name, on: connection)!
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "update", resource: table.resource(name), requestID: requestID,
                                           before: before, after: desired, source: source.json), on: connection)
            return updated
        }
        return Response.json(object, headers: [.eTag: ObjectJSON.etag(object)])
    }

    func delete(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let name = try context.parameters.require("name")
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request).json
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
            try ObjectReferences.remove(from: table.node(name), on: connection)
            try LineageStore.remove(node: table.node(name), on: connection)
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "delete", resource: table.resource(name), requestID: requestID,
                                           before: ObjectJSON.desired(current), source: source), on: connection)
        }
        return Response(status: .noContent)
    }
}
