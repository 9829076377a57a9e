import APIModel
import Foundation
import Hummingbird
import Manifests
import ObjectStore
import Postgres
import ServiceKit

/// `POST /api/evaluations` (evaluate a version now), the list and one evaluation, and its full report.
struct EvaluationRoutes: Sendable {
    let pool: ConnectionPool
    let evaluations: Evaluations

    func register(on router: APIRouter) {
        router.post("/api/evaluations") { request, context in try await create(request, context) }
        router.post("/api/datasetversions/:name/admission") { request, context in try await override(request, context) }
        router.get("/api/evaluations") { request, context in
            try context.require(.viewer)
            let page = try PageRequest(request: request)
            let query = request.uri.queryParameters
            let rows = try await pool.withConnection { connection in
                try connection.query(
                    """
                    select \(Evaluations.columns) from evaluations
                    where ($1::text is null or dataset_version = $1) and ($2::text is null or dataset = $2) and ($3::text is null or outcome = $3)
                      and id > $4 order by id limit $5
                    """,
                    [
                        query["datasetVersion"].map(String.init), query["dataset"].map(String.init), query["outcome"].map(String.init),
                        page.after ?? "", String(page.size + 1),
                    ])
            }
            let shown = rows.prefix(page.size)
            var members = [JSONMember("items", .array(shown.map(Evaluations.json)))]
            if rows.count > page.size, let last = shown.last {
                members.append(JSONMember("next_page_token", .string(PageRequest.token(after: last["id"]!))))
            }
            return Response.json(.object(members))
        }
        router.get("/api/evaluations/:id") { _, context in
            try context.require(.viewer)
            let id = try context.parameters.require("id")
            guard let evaluation = try await pool.withConnection({ try Evaluations.load(id, on: $0) }) else {
                throw Problem.notFound("evaluation \"\(id)\"")
            }
            return Response.json(evaluation)
        }
        router.get("/api/evaluations/:id/report") { _, context in
            try context.require(.viewer)
            let id = try context.parameters.require("id")
            guard
                let key = try await pool.withConnection({
                    try $0.query("select report_key from evaluations where id = $1", [id]).first?["report_key"]
                })
            else {
                throw Problem.notFound("the report of evaluation \"\(id)\"")
            }
            guard let size = try await evaluations.store.size(key: key) else { throw Problem.notFound("the stored report \(key)") }
            let body = try await storedObjectBody(evaluations.store, key: key, size: size, spoolDirectory: evaluations.spoolDirectory)
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: String(size)], body: body)
        }
    }

    /// `POST /api/evaluations` `{"datasetVersion": NAME, "rules": [...], "checks": [...]}`: checked
    /// now (the version, its stored content, the rules named), then queued for the workers.
    /// 202 with the queued evaluation and its location; with `?wait=30s` (at most 5 minutes)
    /// the answer waits for it to finish (201) or the time to pass (202). Without rules or
    /// checks it evaluates everything and decides the version's admission.
    func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.editor)
        let wait = try Self.wait(request)
        let body = try await request.jsonObject(context: context)
        guard let version = body["datasetVersion"]?.stringValue, !version.isEmpty else {
            throw Problem(
                .unprocessableContent, title: "No version",
                detail: "send {\"datasetVersion\": \"<name>\"} and optionally \"rules\": [names], \"checks\": [names]")
        }
        func names(_ key: String) throws -> [String]? {
            guard let value = body[key] else { return nil }
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }), !list.isEmpty else {
                throw Problem(.unprocessableContent, title: "Bad \(key)", detail: "\(key) must be a non-empty list of names")
            }
            return list.compactMap(\.stringValue)
        }
        let (rules, checks) = (try names("rules"), try names("checks"))
        let queue = EvaluationQueue(pool: pool)
        let id = try await pool.withTransaction { connection in
            let target = try evaluations.target(version: version, ruleNames: rules, on: connection)
            return try queue.enqueue(
                version: version, dataset: target.dataset, sha256: target.sha256, rules: rules, checks: checks, trigger: "api",
                actor: principal.subject, on: connection)
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(wait * 1000))
        var evaluation = try await load(id)
        while ["QUEUED", "RUNNING"].contains(evaluation["state"]?.stringValue ?? ""), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            evaluation = try await load(id)
        }
        let finished = !["QUEUED", "RUNNING"].contains(evaluation["state"]?.stringValue ?? "")
        return Response.json(evaluation, status: finished ? .created : .accepted, headers: [.location: "/api/evaluations/\(id)"])
    }

    func load(_ id: String) async throws -> JSONValue {
        try await pool.withConnection { try Evaluations.load(id, on: $0) } ?? .null
    }

    /// `?wait=30s`: how long a create may wait for its evaluation, in seconds (0 without it).
    static func wait(_ request: Request) throws -> Double {
        guard let text = request.uri.queryParameters["wait"].map(String.init) else { return 0 }
        guard let seconds = DurationText.seconds(text), seconds >= 0, seconds <= 300 else {
            throw Problem(.badRequest, title: "Bad wait", detail: "wait: a duration up to 5m such as 30s or 2m, got \"\(text)\"")
        }
        return seconds
    }

    /// `POST /api/datasetversions/{name}/admission` `{"state": "Admitted" | "Quarantined", "reason": "..."}`:
    /// an admin decides a version's admission whatever its evaluations said; audited with the reason.
    func override(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let version = try context.parameters.require("name")
        let body = try await request.jsonObject(context: context)
        let allowed: [AdmissionState] = [.admitted, .quarantined]
        guard let word = body["state"]?.stringValue, let state = AdmissionState(rawValue: word), allowed.contains(state) else {
            throw Problem(
                .unprocessableContent, title: "Bad state",
                detail: "state: Admitted or Quarantined, got \(body["state"].map { $0.jsonString() } ?? "nothing")",
                errors: [ProblemDetails.ValidationError(path: "state", code: "invalidValue", message: "Admitted or Quarantined")])
        }
        guard let reason = body["reason"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty,
            reason.utf8.count <= 1000
        else {
            throw Problem(
                .unprocessableContent, title: "No reason",
                detail: "reason: say why (1 to 1000 bytes); the audit log keeps it with your name",
                errors: [ProblemDetails.ValidationError(path: "reason", code: "required", message: "1 to 1000 bytes")])
        }
        let requestID = context.requestID
        try await pool.withTransaction { connection in
            try Admission.override(version, to: state, reason: reason, actor: principal.subject, requestID: requestID, on: connection)
        }
        return Response.json([
            "datasetVersion": .string(version), "state": .string(state.rawValue), "reason": .string(reason),
            "changedBy": .string(principal.subject),
        ])
    }
}
