import Audit
import Foundation
import HTTPTypes
import Hummingbird
import Lineage
import Manifests
import Postgres
import ServiceKit

/// Datasets: create, get, list, update (ETag / If-Match), delete.
struct DatasetRoutes: Sendable {
    let pool: ConnectionPool

    func register(on router: APIRouter) {
        router.post("/api/datasets") { request, context in try await create(request, context) }
        router.get("/api/datasets") { request, context in try await list(request, context) }
        router.get("/api/datasets/:name") { _, context in
            try context.require(.viewer)
            let name = try context.parameters.require("name")
            guard let object = try await pool.withConnection({ try Self.load(name, on: $0) }) else {
                throw Problem.notFound("Dataset \"\(name)\"")
            }
            return Response.json(object, headers: [.eTag: Objects.etag(object)])
        }
        router.put("/api/datasets/:name") { request, context in try await update(request, context) }
        router.delete("/api/datasets/:name") { request, context in try await delete(request, context) }
    }

    static func load(_ name: String, on connection: Connection) throws -> JSONValue? {
        try connection.query("select \(Objects.datasetColumns) from datasets where name = $1", [name]).first.map(Objects.dataset)
    }

    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.editor)
        let body = try await request.jsonBody(context: context)
        let manifest: Manifest
        switch APIDecoding.decode(body, kind: .dataset) {
        case .success(let m): manifest = m
        case .failure(let invalid): throw Problem.invalid(invalid)
        }
        let idempotency = try Idempotency.key(request, principal: principal, route: "POST /api/datasets", body: body)
        let source = SourceContext(request: request).json
        let requestID = context.requestID
        let outcome: (status: Int, body: String) = try await pool.withTransaction { connection in
            if let idempotency, let replay = try Idempotency.replay(idempotency, on: connection) { return replay }
            if try Self.load(manifest.name, on: connection) != nil {
                throw Problem(.conflict, title: "Already exists",
                              detail: "Dataset \"\(manifest.name)\" already exists; update it with PUT /api/datasets/\(manifest.name)")
            }
            try connection.query("""
                insert into datasets (name, uid, labels, annotations, spec, created_by, updated_by)
                values ($1, gen_random_uuid(), $2::jsonb, $3::jsonb, $4::jsonb, $5, $5)
                """, [manifest.name, (manifest.metadata["labels"] ?? .object([])).jsonString(),
                      (manifest.metadata["annotations"] ?? .object([])).jsonString(), manifest.spec.jsonString(), principal.subject])
            let object = try Self.load(manifest.name, on: connection)!
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "create", resource: "dataset/\(manifest.name)",
                                           requestID: requestID, after: Objects.desired(object), source: source), on: connection)
            let answer = (201, object.jsonString())
            if let idempotency { try Idempotency.record(idempotency, status: answer.0, body: answer.1, on: connection) }
            return answer
        }
        return Self.stored(outcome, location: "/api/datasets/\(manifest.name)")
    }

    /// A response from a stored (status, JSON body), with the ETag of the object it carries.
    static func stored(_ outcome: (status: Int, body: String), location: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if case .success(let object) = JSONText.parse(outcome.body), object["metadata"] != nil {
            headers[.eTag] = Objects.etag(object)
        }
        if let location, outcome.status == 201 { headers[.location] = location }
        return Response(status: HTTPResponse.Status(code: outcome.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: outcome.body)))
    }

    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let page = try PageRequest(request: request)
        let selector = try request.labelSelector
        var conditions: [String] = []
        var parameters: [String?] = []
        if let after = page.after {
            parameters.append(after)
            conditions.append("name > $1")
        }
        if let selector {
            let (sql, values) = selector.sql(column: "labels", firstParameter: parameters.count + 1)
            conditions += sql
            parameters += values.map { $0 }
        }
        parameters.append(String(page.size + 1))
        let condition = conditions.isEmpty ? "" : "where " + conditions.joined(separator: " and ")
        let rows = try await pool.withConnection { [parameters] in
            try $0.query("select \(Objects.datasetColumns) from datasets \(condition) order by name limit $\(parameters.count)", parameters)
        }
        let items = rows.prefix(page.size).map(Objects.dataset)
        var members = [JSONMember("items", .array(items))]
        if rows.count > page.size, let last = items.last?["metadata"]?["name"]?.stringValue {
            members.append(JSONMember("next_page_token", .string(PageRequest.token(after: last))))
        }
        return Response.json(.object(members))
    }

    func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.editor)
        let name = try context.parameters.require("name")
        let manifest = try await request.manifest(of: .dataset, context: context)
        guard manifest.name == name else {
            throw Problem(.unprocessableContent, title: "Name mismatch",
                          detail: "the body names Dataset \"\(manifest.name)\" but the URL names \"\(name)\"; names cannot be changed")
        }
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request).json
        let requestID = context.requestID
        let object = try await pool.withTransaction { connection -> JSONValue in
            guard let current = try connection.query("select \(Objects.datasetColumns) from datasets where name = $1 for update", [name])
                .first.map(Objects.dataset) else {
                throw Problem.notFound("Dataset \"\(name)\"")
            }
            try Self.checkPrecondition(ifMatch, current: current)
            let labels = manifest.metadata["labels"] ?? .object([])
            let annotations = manifest.metadata["annotations"] ?? .object([])
            let desired = Objects.desired(.object([
                JSONMember("metadata", ["name": .string(name), "labels": labels, "annotations": annotations]),
                JSONMember("spec", manifest.spec),
            ]))
            let before = Objects.desired(current)
            // Same content: nothing to write, no new resourceVersion, no audit event.
            if before.canonicalJSON == desired.canonicalJSON { return current }
            try connection.query("""
                update datasets set labels = $2::jsonb, annotations = $3::jsonb, spec = $4::jsonb,
                    resource_version = resource_version + 1, updated_at = now(), updated_by = $5
                where name = $1
                """, [name, labels.jsonString(), annotations.jsonString(), manifest.spec.jsonString(), principal.subject])
            let updated = try Self.load(name, on: connection)!
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "update", resource: "dataset/\(name)", requestID: requestID,
                                           before: before, after: desired, source: source), on: connection)
            return updated
        }
        return Response.json(object, headers: [.eTag: Objects.etag(object)])
    }

    func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.editor)
        let name = try context.parameters.require("name")
        let ifMatch = request.headers[.ifMatch]
        let source = SourceContext(request: request).json
        let requestID = context.requestID
        try await pool.withTransaction { connection in
            guard let current = try connection.query("select \(Objects.datasetColumns) from datasets where name = $1 for update", [name])
                .first.map(Objects.dataset) else {
                throw Problem.notFound("Dataset \"\(name)\"")
            }
            try Self.checkPrecondition(ifMatch, current: current)
            let versions = try connection.query("select count(*) as n from dataset_versions where dataset = $1", [name]).first!.int("n")!
            guard versions == 0 else {
                throw Problem(.conflict, title: "Dataset has versions",
                              detail: "Dataset \"\(name)\" has \(versions) version(s); versions are immutable records and are kept, so the dataset is too")
            }
            try connection.query("delete from datasets where name = $1", [name])
            try LineageStore.remove(node: LineageNode(kind: "dataset", name: name), on: connection)
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "delete", resource: "dataset/\(name)", requestID: requestID,
                                           before: Objects.desired(current), source: source), on: connection)
        }
        return Response(status: .noContent)
    }

    static func checkPrecondition(_ ifMatch: String?, current: JSONValue) throws {
        guard let ifMatch, ifMatch != "*" else { return }
        let tags = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains(Objects.etag(current)) else {
            throw Problem(.preconditionFailed, title: "Precondition failed",
                          detail: "If-Match \(ifMatch) does not match the current ETag \(Objects.etag(current)); someone changed it first: GET it again and reapply your change")
        }
    }
}
