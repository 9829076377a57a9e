import Audit
import Foundation
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// Metrics and events of a run: posted in batches by the run (its run-scoped token) or an
/// editor, read by viewers.
struct TelemetryRoutes: Sendable {
    let pool: ConnectionPool

    func register(on router: APIRouter) {
        router.post("/api/experiment-runs/:run/metrics") { request, context in
            let run = try context.parameters.require("run")
            if context.principal == nil { try context.require(.editor) }
            let batch = try MetricBatch(try await request.jsonObject(context: context, limit: 4 << 20))
            let requestID = context.requestID
            let result = try await pool.withTransaction { connection in
                let principal = try RunAccess.require(context, run: run, .report, on: connection)
                try Self.requireRun(run, on: connection)
                return try MetricStore.write(batch, run: run, actor: principal.subject, requestID: requestID, on: connection)
            }
            return Response.json(["accepted": .int(Int64(result.accepted)), "duplicates": .int(Int64(result.duplicates))])
        }
        router.get("/api/experiment-runs/:run/metrics") { _, context in
            let run = try context.parameters.require("run")
            let items = try await pool.withConnection { connection in
                try RunAccess.require(context, run: run, .read, on: connection)
                try Self.requireRun(run, on: connection)
                return try MetricStore.latest(run: run, on: connection)
            }
            return Response.json(["items": .array(items)])
        }
        router.get("/api/experiment-runs/:run/metrics/:key") { request, context in
            let (run, key) = (try context.parameters.require("run"), try context.parameters.require("key"))
            let page = try PageRequest(request: request)
            let after: (step: Int64, ms: Int64)? = try page.after.map { token in
                let parts = token.split(separator: "/")
                guard parts.count == 2, let step = Int64(parts[0]), let ms = Int64(parts[1]) else {
                    throw Problem(.badRequest, title: "Bad page_token", detail: "page_token is not one this server issued")
                }
                return (step, ms)
            }
            let rows = try await pool.withConnection { connection in
                try RunAccess.require(context, run: run, .read, on: connection)
                try Self.requireRun(run, on: connection)
                return try MetricStore.history(run: run, key: key, after: after, limit: page.size + 1, on: connection)
            }
            let shown = rows.prefix(page.size)
            var members = [JSONMember("items", .array(shown.map(MetricStore.point)))]
            if rows.count > page.size, let last = shown.last {
                members.append(
                    JSONMember("next_page_token", .string(PageRequest.token(after: "\(last.int("step") ?? 0)/\(last.int("ms") ?? 0)"))))
            }
            return Response.json(.object(members))
        }
        router.post("/api/experiment-runs/:run/events") { request, context in
            let run = try context.parameters.require("run")
            if context.principal == nil { try context.require(.editor) }
            let events = try Self.events(try await request.jsonObject(context: context, limit: 4 << 20))
            let requestID = context.requestID
            let count = try await pool.withTransaction { connection -> Int in
                let principal = try RunAccess.require(context, run: run, .report, on: connection)
                try Self.requireRun(run, on: connection)
                try connection.query(
                    """
                    insert into run_events (run, level, message, at)
                    select $1, l, m, to_timestamp(ms / 1000.0) from unnest($2::text[], $3::text[], $4::bigint[]) with ordinality as e(l, m, ms, n) order by n
                    """,
                    [
                        run, PostgresArray.text(events.map(\.level)), PostgresArray.text(events.map(\.message)),
                        PostgresArray.numbers(events.map(\.millis)),
                    ])
                try connection.query("update runs set heartbeat_at = now() where name = $1 and state = 'RUNNING'", [run])
                try AuditLog.append(
                    AuditDraft(
                        actor: principal.subject, action: "log-events", resource: RunLedger.resource(run), requestID: requestID,
                        after: ["events": .int(Int64(events.count))]), on: connection)
                return events.count
            }
            return Response.json(["accepted": .int(Int64(count))])
        }
        router.get("/api/experiment-runs/:run/events") { request, context in
            let run = try context.parameters.require("run")
            let page = try PageRequest(request: request)
            let level = request.uri.queryParameters["level"].map(String.init)
            let rows = try await pool.withConnection { connection in
                try RunAccess.require(context, run: run, .read, on: connection)
                try Self.requireRun(run, on: connection)
                return try connection.query(
                    """
                    select seq, level, message, \(SQLTime.utc("at")) from run_events
                    where run = $1 and seq > $2::bigint and ($3::text is null or level = $3) order by seq limit $4
                    """, [run, page.after ?? "0", level, String(page.size + 1)])
            }
            let shown = rows.prefix(page.size)
            var members = [
                JSONMember(
                    "items",
                    .array(
                        shown.map { row in
                            ["level": .string(row["level"]!), "message": .string(row["message"]!), "timestamp": .string(row["at"]!)]
                        }))
            ]
            if rows.count > page.size, let last = shown.last {
                members.append(JSONMember("next_page_token", .string(PageRequest.token(after: last["seq"]!))))
            }
            return Response.json(.object(members))
        }
    }

    static func requireRun(_ run: String, on connection: Connection) throws {
        guard try !connection.query("select 1 from runs where name = $1", [run]).isEmpty else { throw Problem.notFound("Run \"\(run)\"") }
    }

    struct Event {
        var level: String
        var message: String
        var millis: Int64
    }
    static let levels = ["debug", "info", "warn", "error"]

    static func events(_ body: JSONValue) throws -> [Event] {
        guard let items = body["events"]?.arrayValue, !items.isEmpty, items.count <= MetricBatch.maxPoints else {
            throw Problem(
                .unprocessableContent, title: "Bad events batch",
                detail:
                    "send {\"events\": [{\"level\": \"info\", \"message\": \"...\", \"timestamp\": 1764180000000}]} with 1 to \(MetricBatch.maxPoints) events"
            )
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return try items.enumerated().map { index, item in
            let level = item["level"]?.stringValue ?? "info"
            guard levels.contains(level) else {
                throw Problem(
                    .unprocessableContent, title: "Bad events batch",
                    detail: "events[\(index)].level must be one of \(levels.joined(separator: ", "))")
            }
            guard let message = item["message"]?.stringValue else {
                throw Problem(.unprocessableContent, title: "Bad events batch", detail: "events[\(index)].message must be a string")
            }
            let millis = try MetricBatch.millis(item["timestamp"], at: "events[\(index)].timestamp") ?? now
            return Event(level: level, message: String(message.prefix(16_384)), millis: millis)
        }
    }
}
