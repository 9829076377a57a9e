import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `POST|GET /api/experiment-runs/{run}/evidence-bundles`, a bundle's file and its report, and
/// the public keys that verify them (every key of the keyring, by id) at `/.well-known/datapilot/evidence-keys`.
struct EvidenceRoutes: Sendable {
    let pool: ConnectionPool
    let evidence: EvidenceService
    let artifacts: ArtifactStore

    func register(on router: APIRouter) {
        router.get("/.well-known/datapilot/evidence-keys") { _, _ in Response.json(evidence.keys.publicJSON) }
        router.post("/api/experiment-runs/:run/evidence-bundles") { _, context in
            let principal = try context.require(.editor)
            let run = try context.parameters.require("run")
            let record = try await evidence.build(run: run, actor: principal.subject, requestID: context.requestID)
            return Response.json(record, status: .created, headers: [.location: record["bundle"]?.stringValue ?? ""])
        }
        router.get("/api/experiment-runs/:run/evidence-bundles") { _, context in
            try context.require(.viewer)
            let run = try context.parameters.require("run")
            let rows = try await pool.withConnection { connection in
                try TelemetryRoutes.requireRun(run, on: connection)
                return try connection.query(
                    "select \(EvidenceService.columns) from evidence_bundles where run = $1 order by created_at desc", [run])
            }
            return Response.json(["items": .array(rows.map(EvidenceService.json))])
        }
        router.get("/api/experiment-runs/:run/evidence-bundles/:id") { _, context in try await file(context, report: false) }
        router.get("/api/experiment-runs/:run/evidence-bundles/:id/report") { _, context in try await file(context, report: true) }
    }

    func file(_ context: APIRequestContext, report: Bool) async throws -> Response {
        try context.require(.viewer)
        let (run, id) = (try context.parameters.require("run"), try context.parameters.require("id"))
        guard
            let row = try await pool.withConnection({
                try $0.query("select object_key, report_key, size from evidence_bundles where id = $1 and run = $2", [id, run]).first
            })
        else { throw Problem.notFound("evidence bundle \"\(id)\" of run \"\(run)\"") }
        let key = report ? row["report_key"]! : row["object_key"]!
        guard let size = try await artifacts.store.size(key: key) else { throw Problem.notFound("the stored evidence \(key)") }
        return Response(
            status: .ok,
            headers: [
                .contentType: report ? "text/markdown; charset=utf-8" : "application/vnd.datapilot.evidence.v1+json",
                .contentLength: String(size), .contentDisposition: "attachment; filename=\"\(id)\(report ? ".md" : ".json")\"",
            ], body: try await artifacts.body(key: key, size: size))
    }
}
