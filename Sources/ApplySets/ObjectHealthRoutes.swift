import APIModel
import Hummingbird
import Postgres
import ServiceKit

/// `GET /api/applysets/{name}/health` (a source's or an apply's objects, which the reconciler
/// asks after each sync) and `POST /api/health` with a list of objects (`dpctl apply --wait`).
/// Role: viewer; they only read.
struct ObjectHealthRoutes: Sendable {
    let pool: ConnectionPool

    func register(on router: APIRouter) {
        router.get("/api/applysets/:name/health") { _, context in
            try context.require(.viewer)
            let name = try context.parameters.require("name")
            guard let report = try await pool.withConnection({ try HealthAssessment.applySet(name, on: $0) }) else {
                throw Problem.notFound("ApplySet \"\(name)\"")
            }
            return Response.json(report.json)
        }
        router.post("/api/health") { request, context in
            try context.require(.viewer)
            let body = try HealthRequest.decode(try await request.jsonObject(context: context), problem: "Bad health request")
            let report = try await pool.withConnection { try HealthAssessment.objects(body.objects, on: $0) }
            return Response.json(report.json)
        }
    }
}
