import APIModel
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// A body the reconciler posts to have one audit event recorded: a sync of a source, drift
/// detected or healed on an object. Each says where it is posted and what event it becomes.
protocol ReportedEvent: WireBody {
    static var route: String { get }
    /// The problem's title when the body is refused (`Bad sync event`).
    static var refusal: String { get }
    /// The audit event it becomes, recorded as `actor` under `requestID`.
    func draft(actor: String, requestID: String) -> AuditDraft
}

/// `POST Event.route`: only a principal that may assert provenance (the reconciler's key) may
/// report; the body is decoded with its fields named on refusal (422) and recorded in one
/// transaction. The changes a sync made are recorded by their own writes, not here.
struct ReportedEventRoute<Event: ReportedEvent>: Sendable {
    let pool: ConnectionPool

    func register(on router: APIRouter) {
        router.post(Event.route) { request, context in
            let principal = try context.requireProvenance()
            let event = try Event.decode(try await request.jsonObject(context: context), problem: Event.refusal)
            let draft = event.draft(actor: principal.subject, requestID: context.requestID)
            try await pool.withTransaction { try AuditLog.append(draft, on: $0) }
            return Response(status: .noContent)
        }
    }
}
