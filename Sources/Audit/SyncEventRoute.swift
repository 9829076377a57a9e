import APIModel
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `POST /api/audit/syncs`: the reconciler records each sync of a source (the commit, its
/// author and message, the result and the counts by action) as an audit event `sync` on
/// `source/NAME`. The object changes of the sync are recorded by their own writes.
struct SyncEventRoute: Sendable {
    let pool: ConnectionPool

    func register(on router: APIRouter) {
        router.post(SyncEvent.route) { request, context in
            let principal = try context.requireProvenance()
            let event = try SyncEvent.decode(try await request.jsonObject(context: context), problem: "Bad sync event")
            let requestID = context.requestID
            try await pool.withTransaction { connection in
                try AuditLog.append(
                    AuditDraft(
                        actor: principal.subject, action: "sync", resource: "source/\(event.source)", requestID: requestID,
                        outcome: event.result == .synced ? "success" : "failure", after: Self.record(event),
                        source: Self.source(event)),
                    on: connection)
            }
            return Response(status: .noContent)
        }
    }

    /// The event's `after`: what the sync did.
    static func record(_ event: SyncEvent) -> JSONValue {
        var record: [JSONMember] = [JSONMember("commit", .string(event.commit)), JSONMember("result", .string(event.result.rawValue))]
        if let message = event.message { record.append(JSONMember("message", .string(message))) }
        if let error = event.error { record.append(JSONMember("error", .string(error))) }
        if let counts = event.counts {
            record.append(
                JSONMember("counts", .object(counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int(Int64($0.value))) })))
        }
        return .object(record)
    }

    /// The event's `source`: the commit and where it came from.
    static func source(_ event: SyncEvent) -> JSONValue {
        var source: [JSONMember] = [JSONMember("commit", .string(event.commit)), JSONMember("tool", "dpctl reconcile")]
        if let repository = event.repository { source.append(JSONMember("repository", .string(repository))) }
        if let author = event.author { source.append(JSONMember("author", .string(author))) }
        if let signer = event.signer { source.append(JSONMember("signer", .string(signer))) }
        return .object(source)
    }
}
