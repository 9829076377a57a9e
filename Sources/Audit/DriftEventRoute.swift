import APIModel
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `POST /api/audit/drift`: the reconciler records drift it detected on an object (the drifted
/// fields, who changed it last) and drift it healed, as audit events `drift-detected` and
/// `drift-healed` on the object (`dataset/churn`). A heal's own write is recorded by that write.
struct DriftEventRoute: Sendable {
    let pool: ConnectionPool

    func register(on router: APIRouter) {
        router.post(DriftEvent.route) { request, context in
            let principal = try context.requireProvenance()
            let event = try DriftEvent.decode(try await request.jsonObject(context: context), problem: "Bad drift event")
            let requestID = context.requestID
            try await pool.withTransaction { connection in
                try AuditLog.append(
                    AuditDraft(
                        actor: principal.subject, action: event.event.action, resource: event.object.description,
                        requestID: requestID, after: Self.record(event), source: Self.source(event)), on: connection)
            }
            return Response(status: .noContent)
        }
    }

    /// The event's `after`: how the object drifted.
    static func record(_ event: DriftEvent) -> JSONValue {
        var record: [JSONMember] = [JSONMember("drift", .string(event.drift.rawValue))]
        let wire = event.json
        for key in ["fields", "changedBy", "desiredBy"] { if let value = wire[key] { record.append(JSONMember(key, value)) } }
        return .object(record)
    }

    /// The event's `source`: the reconciler, the source and the commit applied.
    static func source(_ event: DriftEvent) -> JSONValue {
        var source: [JSONMember] = [JSONMember("tool", "dpctl reconcile"), JSONMember("source", .string(event.source))]
        if let commit = event.commit { source.append(JSONMember("commit", .string(commit))) }
        if let repository = event.repository { source.append(JSONMember("repository", .string(repository))) }
        return .object(source)
    }
}
