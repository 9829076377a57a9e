import Hummingbird
import Manifests
import Postgres
import ServiceKit

extension ObjectRoutes {
    func create(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let body = try await request.jsonBody(context: context)
        let manifest: Manifest
        switch APIDecoding.decode(body, kind: table.kind) {
        case .success(let m): manifest = m
        case .failure(let invalid): throw Problem.invalid(invalid)
        }
        let idempotency = try Idempotency.key(request, principal: principal, route: "POST \(table.collection)", body: body)
        let outcome = try await create(
            ObjectDraft(manifest), principal: principal, idempotency: idempotency,
            source: SourceContext(request: request, principal: principal),
            requestID: context.requestID, dryRun: dryRun)
        return Response.stored(outcome, location: "\(table.collection)/\(manifest.name)")
    }

    /// Creates `draft` in one transaction (its parent checked, its references, lineage and audit
    /// event with it); `extra` runs in that transaction after the row is written. Answers
    /// (201, the object), the stored answer of an Idempotency-Key seen before, or (200, the
    /// object) when it exists and the table's `existing` hook takes it for the same object.
    public func create(
        _ draft: ObjectDraft, principal: Principal, idempotency: Idempotency.Key?, source: SourceContext,
        requestID: String, dryRun: Bool,
        extra: @escaping @Sendable (Connection) throws -> Void = { _ in }
    ) async throws -> (status: Int, body: String) {
        let table = self.table
        let name = draft.name
        try table.authorize(principal, nil, draft.spec)
        let outcome: (status: Int, body: String, created: Bool) = try await pool.withTransaction(dryRun: dryRun) { connection in
            // One create of a name at a time: a concurrent one (a retry, say) waits, then sees
            // this one's answer or its object instead of failing on the table's unique key.
            try connection.query("select pg_advisory_xact_lock(hashtext($1))", [table.resource(name)])
            if let idempotency, let replay = try Idempotency.replay(idempotency, on: connection) {
                return (replay.status, replay.body, false)
            }
            let answer: (status: Int, body: String, created: Bool)
            if let existing = try table.load(name, on: connection) {
                guard let same = table.existing else {
                    throw Problem(
                        .conflict, title: "Already exists",
                        detail: "\(table.describe(name)) already exists; update it with PUT \(table.collection)/\(name)")
                }
                try same(existing, draft.spec)
                answer = (200, existing.jsonString(), false)
            } else {
                let object = try table.createRow(
                    draft, principal: principal, source: source, requestID: requestID, on: connection, extra: extra)
                answer = (201, object.jsonString(), true)
            }
            if let idempotency {
                try Idempotency.record(idempotency, status: answer.status, body: answer.body, object: table.resource(name), on: connection)
            }
            return answer
        }
        if outcome.created && !dryRun { await table.afterCreate(name, draft.spec) }
        return (outcome.status, outcome.body)
    }
}
