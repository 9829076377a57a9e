import AuditChain
import Hummingbird
import Manifests
import ServiceKit

/// `GET /api/audit/checkpoints/latest`, `GET /api/audit/checkpoints` (newest first, paged) and
/// `POST /api/audit/checkpoints` (an admin has the head signed now, e.g. before a backup).
struct AuditCheckpointRoutes: Sendable {
    let checkpointer: AuditCheckpointer

    func register(on router: APIRouter) {
        let checkpoints = checkpointer.checkpoints
        router.get("/api/audit/checkpoints/latest") { _, context in
            try context.require(.viewer)
            guard let latest = try await checkpoints.latest() else {
                throw Problem(
                    .notFound, title: "No checkpoint",
                    detail: "the server has signed no audit checkpoint yet (one is made within audit-checkpoint-seconds of a write)")
            }
            return Response.json(latest.json)
        }
        router.get("/api/audit/checkpoints") { request, context in
            try context.require(.viewer)
            let page = try PageRequest(request: request)
            var before: Int64?
            if let token = page.after {
                guard let n = Int64(token) else {
                    throw Problem(.badRequest, title: "Bad page_token", detail: "page_token is not one this server issued")
                }
                before = n
            }
            let items = try await checkpoints.list(before: before, limit: page.size + 1)
            var members = [JSONMember("items", .array(items.prefix(page.size).map(\.json)))]
            if items.count > page.size, let last = items.prefix(page.size).last {
                members.append(JSONMember("next_page_token", .string(PageRequest.token(after: String(last.checkpoint.sequence)))))
            }
            return Response.json(.object(members))
        }
        router.post("/api/audit/checkpoints") { _, context in
            try context.require(.admin)
            let outcome: AuditCheckpointer.Outcome
            // What was committed before the request is in the head it signs.
            try await AuditSealer.catchUp(pool: checkpointer.pool)
            do { outcome = try await checkpointer.pass() } catch let error as AuditChainError {
                throw Problem(.conflict, title: "Chain does not verify", detail: "no checkpoint was signed: \(error.message)")
            }
            switch outcome {
            case .signed(let signed): return Response.json(signed.json, status: .created)
            case .current(let latest?): return Response.json(latest.json)
            case .current(nil):
                throw Problem(.conflict, title: "Empty audit log", detail: "the audit log has no entries to sign yet")
            }
        }
    }
}
