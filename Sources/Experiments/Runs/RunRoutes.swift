import Foundation
import Hummingbird
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// The run API around the manifest CRUD of `/api/runs`: runs created inside an experiment,
/// their server-owned lifecycle, heartbeats, cancel and tags.
struct RunRoutes: Sendable {
    let pool: ConnectionPool
    let objects: ObjectRoutes
    let executors: Executors

    func register(on router: APIRouter) {
        router.post(
            "/api/experiments/:name/runs", DryRun.route { request, context, dryRun in try await create(request, context, dryRun: dryRun) })
        router.get("/api/experiments/:name/runs") { request, context in try await list(request, context) }
        router.get("/api/experiment-runs/:run") { _, context in
            let run = try context.parameters.require("run")
            let record = try await pool.withConnection { connection -> RunRecord in
                try RunAccess.require(context, run: run, .read, on: connection)
                guard let record = try RunRecord.load(run, on: connection) else { throw Problem.notFound("Run \"\(run)\"") }
                return record
            }
            return Response.json(record.json, headers: [.eTag: ObjectJSON.etag(record.object)])
        }
        router.put("/api/experiment-runs/:run/state") { request, context in try await setState(request, context) }
        router.post("/api/experiment-runs/:run/heartbeat") { _, context in
            let run = try context.parameters.require("run")
            try await pool.withConnection { connection in
                try RunAccess.require(context, run: run, .report, on: connection)
                try RunLedger.heartbeat(run, on: connection)
            }
            return Response(status: .noContent)
        }
        router.post("/api/experiment-runs/:run/cancel") { _, context in
            let principal = try context.require(.editor)
            let run = try context.parameters.require("run")
            let requestID = context.requestID
            let record = try await pool.withTransaction {
                try RunLedger.requestCancel(run, actor: principal.subject, requestID: requestID, on: $0)
            }
            await executors.cancel(run)
            return Response.json(record.json, status: .accepted)
        }
        router.put("/api/experiment-runs/:run/tags") { request, context in
            let principal = try context.require(.editor)
            let run = try context.parameters.require("run")
            let body = try await request.jsonObject(context: context)
            guard let tags = body["tags"] else {
                throw Problem(.unprocessableContent, title: "Bad tags", detail: "send {\"tags\": {\"key\": \"value\", ...}}")
            }
            try Self.checkTags(tags)
            let requestID = context.requestID
            let record = try await pool.withTransaction {
                try RunLedger.setTags(run, tags, actor: principal.subject, requestID: requestID, on: $0)
            }
            return Response.json(record.json)
        }
    }

    /// `POST /api/experiments/{name}/runs`: a run of this experiment from its spec fields, named
    /// by the caller or after the experiment; `tags` are set with it; `execute: true` starts it.
    func create(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let experiment = try context.parameters.require("name")
        let bodyBytes = try await request.jsonBody(context: context)
        guard case .success(let body) = JSONText.parse(bodyBytes), let fields = body.objectValue else {
            throw Problem(
                .badRequest, title: "Bad body",
                detail: "the body must be a JSON object with the run's fields (inputs, code, image, command, params, tags)")
        }
        let name = body["name"]?.stringValue ?? "\(experiment.prefix(200))-\(Hex.encode((0..<4).map { _ in UInt8.random(in: 0...255) }))"
        var metadata: [JSONMember] = [JSONMember("name", .string(name))]
        if let labels = body["labels"] { metadata.append(JSONMember("labels", labels)) }
        if let annotations = body["annotations"] { metadata.append(JSONMember("annotations", annotations)) }
        var spec: [JSONMember] = [JSONMember("experiment", .string(experiment))]
        spec += fields.filter { !["name", "labels", "annotations", "tags", "experiment"].contains($0.key) }
        let tags = body["tags"] ?? .object([])
        try Self.checkTags(tags)
        let document: JSONValue = .object([
            JSONMember("apiVersion", .string(ManifestKind.apiVersion)), JSONMember("kind", "Run"),
            JSONMember("metadata", .object(metadata)), JSONMember("spec", .object(spec)),
        ])
        let manifest: Manifest
        switch APIDecoding.decode(Array(document.jsonString().utf8), kind: .run) {
        case .success(let m): manifest = m
        case .failure(let invalid): throw Problem.invalid(invalid)
        }
        let idempotency = try Idempotency.key(
            request, principal: principal, route: "POST /api/experiments/\(experiment)/runs", body: bodyBytes)
        let outcome = try await objects.create(
            ObjectDraft(manifest), principal: principal, idempotency: idempotency,
            source: SourceContext(request: request, principal: principal),
            requestID: context.requestID, dryRun: dryRun
        ) { connection in
            try connection.query("update runs set tags = $2::jsonb where name = $1", [name, tags.jsonString()])
        }
        let record = try await pool.withConnection { try RunRecord.load(name, on: $0) }
        let answer = dryRun ? outcome.body : (record?.json.jsonString() ?? outcome.body)
        return Response.stored((outcome.status, answer), location: "/api/experiment-runs/\(name)")
    }

    /// Tags: an object of string values under keys of 1 to 250 bytes.
    static func checkTags(_ tags: JSONValue) throws {
        guard let members = tags.objectValue,
            members.allSatisfy({ $0.value.stringValue != nil && !$0.key.isEmpty && $0.key.utf8.count <= 250 })
        else {
            throw Problem(
                .unprocessableContent, title: "Bad tags", detail: "tags must be an object of string values under keys of 1 to 250 bytes")
        }
    }

    /// The runs of one experiment, by name, with their status.
    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let experiment = try context.parameters.require("name")
        let page = try PageRequest(request: request)
        let state = request.uri.queryParameters["state"].map(String.init)
        if let state, RunState(rawValue: state) == nil {
            throw Problem(
                .badRequest, title: "Bad state", detail: "state must be one of " + RunState.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
        let rows = try await pool.withConnection { connection -> [RunRecord] in
            guard try !connection.query("select 1 from experiments where name = $1", [experiment]).isEmpty else {
                throw Problem.notFound("Experiment \"\(experiment)\"")
            }
            return try connection.query(
                """
                select \(RunRecord.columns) from runs where spec->>'experiment' = $1 and ($2::text is null or state = $2) and name > $3
                order by name limit $4
                """, [experiment, state, page.after ?? "", String(page.size + 1)]
            ).map(RunRecord.init)
        }
        var members = [JSONMember("items", .array(rows.prefix(page.size).map(\.json)))]
        if rows.count > page.size, let last = rows.prefix(page.size).last {
            members.append(JSONMember("next_page_token", .string(PageRequest.token(after: last.name))))
        }
        return Response.json(.object(members))
    }

    /// `PUT /api/experiment-runs/{run}/state` `{"state": "RUNNING|SUCCEEDED|FAILED|CANCELLED", "message": "...", "exitCode": 0}`.
    func setState(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let run = try context.parameters.require("run")
        if context.principal == nil { try context.require(.editor) }  // 401 before the body is judged
        let body = try await request.jsonObject(context: context)
        guard let raw = body["state"]?.stringValue, let next = RunState(rawValue: raw), RunState.requestable.contains(next) else {
            throw Problem(
                .unprocessableContent, title: "Bad state",
                detail: "state must be one of " + RunState.requestable.map(\.rawValue).joined(separator: ", ") + " (LOST is the server's)")
        }
        let message = body["message"]?.stringValue.map { String($0.prefix(2000)) }
        let exitCode: Int32? = try body["exitCode"].map { code in
            guard let n = code.numberValue, n == n.rounded(), n >= Double(Int32.min), n <= Double(Int32.max) else {
                throw Problem(
                    .unprocessableContent, title: "Bad exitCode",
                    detail: "exitCode must be a whole 32-bit number (-2147483648 to 2147483647)")
            }
            return Int32(n)
        }
        let requestID = context.requestID
        let record = try await pool.withTransaction { connection in
            let principal = try RunAccess.require(context, run: run, .report, on: connection)
            return try RunLedger.transition(
                run, to: next, message: message, exitCode: exitCode, actor: principal.subject,
                requestID: requestID, on: connection)
        }
        return Response.json(record.json)
    }
}
