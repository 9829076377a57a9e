import APIModel
import Audit
import Foundation
import Hummingbird
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// Apply sets (`/api/applysets`): the objects each apply set manages, kept on the server so that
/// prune deletes exactly what an earlier apply created.
public struct ApplySetRoutes: Sendable {
    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    static let columns = """
        name, members::text as members, resource_version,
        \(SQLTime.utc("created_at")),
        \(SQLTime.utc("updated_at")), updated_by
        """

    static func object(_ row: Row) -> JSONValue {
        .object([
            JSONMember("apiVersion", .string(ManifestKind.apiVersion)),
            JSONMember("kind", "ApplySet"),
            JSONMember(
                "metadata",
                .object([
                    JSONMember("name", .string(row["name"]!)),
                    JSONMember("resourceVersion", .string(row["resource_version"]!)),
                    JSONMember("createdAt", .string(row["created_at"]!)),
                    JSONMember("updatedAt", .string(row["updated_at"]!)),
                    JSONMember("updatedBy", .string(row["updated_by"]!)),
                ])),
            JSONMember("members", ObjectJSON.parse(row["members"], maxValues: ApplySetBody.maxJSONValues)),
        ])
    }

    /// The apply set's ETag and weak validator, without its members; nil when there is none.
    static func validator(of name: String, on connection: Connection) throws -> (etag: String, validator: String)? {
        let rows = try connection.query("select resource_version, \(SQLTime.utc("updated_at")) from applysets where name = $1", [name])
        guard let row = rows.first, let version = row["resource_version"], let updated = row["updated_at"] else { return nil }
        return ("\"\(version)\"", ApplySetBody.validator(resourceVersion: version, updatedAt: updated))
    }

    static func load(_ name: String, forUpdate: Bool = false, on connection: Connection) throws -> JSONValue? {
        try connection.query("select \(columns) from applysets where name = $1\(forUpdate ? " for update" : "")", [name]).first.map(object)
    }

    public func register(on router: APIRouter) {
        router.get("/api/applysets") { request, context in
            try context.require(.viewer)
            let page = try PageRequest(request: request)
            let rows = try await pool.withConnection { connection in
                try ObjectList.rows(of: "applysets", columns: Self.columns, page: page, selector: nil, on: connection)
            }
            return ObjectList.response(rows, page: page, item: Self.object)
        }
        router.get("/api/applysets/:name") { request, context in
            try context.require(.viewer)
            let name = try context.parameters.require("name")
            // A client holding the current members (the reconciler, once per commit) gets a 304
            // without the member list being read, encoded or sent. The validator is weak and names
            // the update time too, so that a deleted and re-created apply set (whose
            // resourceVersion starts again) is never taken for the one the client holds.
            if let ifNoneMatch = request.headers[.ifNoneMatch],
                let current = try await pool.withConnection({ try Self.validator(of: name, on: $0) }),
                ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == current.validator })
            {
                return Response(status: .notModified, headers: [.eTag: current.etag])
            }
            guard let object = try await pool.withConnection({ try Self.load(name, on: $0) }) else {
                throw Problem.notFound("ApplySet \"\(name)\"")
            }
            return Response.json(object, headers: [.eTag: ObjectJSON.etag(object)])
        }
        ObjectHealthRoutes(pool: pool).register(on: router)
        router.put("/api/applysets/:name", DryRun.route { request, context, dryRun in try await put(request, context, dryRun: dryRun) })
        router.delete(
            "/api/applysets/:name", DryRun.route { request, context, dryRun in try await delete(request, context, dryRun: dryRun) })
    }

    /// Creates (201) or replaces (200) the member list; the same list again writes nothing.
    func put(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let name = try context.parameters.require("name")
        guard StringFormat.dnsSubdomain.accepts(name) else {
            throw Problem(
                .badRequest, title: "Bad apply set name", detail: "the apply set's name must be \(StringFormat.dnsSubdomain.expectation)")
        }
        let body = try await request.jsonBody(context: context, limit: ApplySetMembers.maxBodyBytes)
        let members = JSONValue.array(try ApplySetMembers.parse(body).map(JSONValue.string))
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request, principal: principal).json
        let requestID = context.requestID
        let (object, created) = try await pool.withTransaction(dryRun: dryRun) { connection -> (JSONValue, Bool) in
            try connection.query("select pg_advisory_xact_lock(hashtext($1))", ["applyset/" + name])
            let current = try Self.load(name, forUpdate: true, on: connection)
            if let current { try Precondition.check(ifMatch, etag: ObjectJSON.etag(current)) }
            let before = current.map { JSONValue.object([JSONMember("members", $0["members"] ?? .array([]))]) }
            let after = JSONValue.object([JSONMember("members", members)])
            if let current, before?.canonicalJSON == after.canonicalJSON { return (current, false) }
            if current == nil {
                try connection.query(
                    "insert into applysets (name, members, created_by, updated_by) values ($1, $2::jsonb, $3, $3)",
                    [name, members.jsonString(), principal.subject])
            } else {
                try connection.query(
                    """
                    update applysets set members = $2::jsonb, resource_version = resource_version + 1, updated_at = now(), updated_by = $3
                    where name = $1
                    """, [name, members.jsonString(), principal.subject])
            }
            try AuditLog.append(
                AuditDraft(
                    actor: principal.subject, action: current == nil ? "create" : "update", resource: "applyset/\(name)",
                    requestID: requestID, before: before, after: after, source: source), on: connection)
            return (try Self.load(name, on: connection)!, current == nil)
        }
        var headers: HTTPFields = [.eTag: ObjectJSON.etag(object)]
        if created { headers[.location] = "/api/applysets/\(name)" }
        return Response.json(object, status: created ? .created : .ok, headers: headers)
    }

    func delete(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let name = try context.parameters.require("name")
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request, principal: principal).json
        let requestID = context.requestID
        try await pool.withTransaction(dryRun: dryRun) { connection in
            guard let current = try Self.load(name, forUpdate: true, on: connection) else { throw Problem.notFound("ApplySet \"\(name)\"") }
            try Precondition.check(ifMatch, etag: ObjectJSON.etag(current))
            try connection.query("delete from applysets where name = $1", [name])
            try AuditLog.append(
                AuditDraft(
                    actor: principal.subject, action: "delete", resource: "applyset/\(name)", requestID: requestID,
                    before: .object([JSONMember("members", current["members"] ?? .array([]))]), source: source), on: connection)
        }
        return Response(status: .noContent)
    }
}
