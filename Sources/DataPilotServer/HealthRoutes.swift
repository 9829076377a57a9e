import Hummingbird
import Logging
import Manifests
import ObjectStore
import Postgres
import ServiceKit

/// `/healthz` (the process answers) and `/readyz` (Postgres and the object store answer too).
/// Anyone may ask, so `/readyz` says only which dependency is unavailable; why (a host, a port,
/// a driver's message) goes to the log, and to an admin caller under `details`.
struct HealthRoutes: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore

    func register(on router: APIRouter) {
        router.get("/healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("/readyz") { _, context in
            var checks: [JSONMember] = []
            var details: [JSONMember] = []
            func check(_ name: String, _ probe: () async throws -> Void) async {
                do {
                    try await probe()
                    checks.append(JSONMember(name, "ok"))
                } catch {
                    checks.append(JSONMember(name, "unavailable"))
                    details.append(JSONMember(name, .string("\(error)")))
                    context.logger.warning("readiness check failed", metadata: ["check": .string(name), "error": .string("\(error)")])
                }
            }
            await check("database") { _ = try await pool.withConnection { try $0.query("select 1").count } }
            await check("objectStore") { try await store.checkReachable() }
            let ready = details.isEmpty
            var members = [JSONMember("status", .string(ready ? "ok" : "unavailable")), JSONMember("checks", .object(checks))]
            if !ready, context.principal?.role == .admin { members.append(JSONMember("details", .object(details))) }
            return Response.json(
                .object(members), status: ready ? .ok : .serviceUnavailable,
                headers: ready ? [:] : [.retryAfter: "5"])
        }
    }
}
