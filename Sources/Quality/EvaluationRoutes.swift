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
        router.post("/api/evaluations") { request, context in
            let principal = try context.require(.editor)
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
            let result = try await evaluations.run(
                version: version, ruleNames: try names("rules"), checks: try names("checks"), trigger: "api",
                actor: principal.subject, requestID: context.requestID)
            return Response.json(result, status: .created, headers: [.location: "/api/evaluations/\(result["id"]?.stringValue ?? "")"])
        }
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
}
