import Hummingbird
import Postgres
import ServiceKit

/// `GET /api/audit/events/{sequence}`: one event, with its hash, for a verifier that checks an
/// anchored entry (`dpctl evidence verify`) without building page tokens of its own.
struct AuditEventRoute: Sendable {
    let pool: ConnectionPool

    func register(on router: APIRouter) {
        router.get("/api/audit/events/{sequence}") { _, context in
            try context.require(.viewer)
            let raw = context.parameters.get("sequence") ?? ""
            guard let sequence = Int64(raw), sequence >= 1 else {
                throw Problem(.badRequest, title: "Bad sequence", detail: "the sequence must be a whole number from 1, got \"\(raw)\"")
            }
            let filter = AuditFilter(afterSequence: sequence - 1, limit: 1)
            try await AuditSealer.catchUp(pool: pool)
            let events = try await pool.withConnection { try AuditLog.events(filter, on: $0) }
            guard let event = events.first, event.sequence == sequence else { throw Problem.notFound("audit event \(sequence)") }
            return Response.json(event.json)
        }
    }
}
