import Audit
import Manifests
import Postgres

/// Metric points in Postgres: written in bulk, once per (run, key, step, timestamp), so a
/// retried batch adds nothing.
enum MetricStore {
    /// Writes `batch`; answers how many points were new. One audit event covers the batch.
    static func write(
        _ batch: MetricBatch, run: String, actor: String, requestID: String,
        on connection: Connection
    ) throws -> (accepted: Int, duplicates: Int) {
        let points = batch.points
        let inserted = try connection.query(
            """
            insert into run_metrics (run, key, value, step, at)
            select $1, k, v, s, to_timestamp(ms / 1000.0)
            from unnest($2::text[], $3::float8[], $4::bigint[], $5::bigint[]) as p(k, v, s, ms)
            on conflict do nothing
            returning 1
            """,
            [
                run, PostgresArray.text(points.map(\.key)), PostgresArray.numbers(points.map(\.value)),
                PostgresArray.numbers(points.map(\.step)), PostgresArray.numbers(points.map(\.millis)),
            ]
        ).count
        try connection.query("update runs set heartbeat_at = now() where name = $1 and state = 'RUNNING'", [run])
        if inserted > 0 {
            let keys = Array(Set(points.map(\.key))).sorted().prefix(50).map(JSONValue.string)
            try AuditLog.append(
                AuditDraft(
                    actor: actor, action: "log-metrics", resource: RunLedger.resource(run), requestID: requestID,
                    after: ["points": .int(Int64(inserted)), "keys": .array(Array(keys))]), on: connection)
        }
        return (inserted, points.count - inserted)
    }

    static let timeColumn = #"(extract(epoch from at) * 1000)::bigint as ms"#

    static func point(_ row: Row) -> JSONValue {
        [
            "key": .string(row["key"]!), "value": .double(Double(row["value"]!) ?? .nan),
            "step": .int(row.int("step") ?? 0), "timestamp": .int(row.int("ms") ?? 0),
        ]
    }

    /// The latest point of every key (by step, then time), with how many points each has.
    static func latest(run: String, on connection: Connection) throws -> [JSONValue] {
        try connection.query(
            """
            select distinct on (key) key, value::text as value, step, \(timeColumn), count(*) over (partition by key) as points
            from run_metrics where run = $1 order by key, step desc, at desc
            """, [run]
        ).map { row in
            guard case .object(var members) = point(row) else { return .null }
            members.append(JSONMember("points", .int(row.int("points") ?? 0)))
            return .object(members)
        }
    }

    /// One key's history in (step, time) order, after the (step, ms) position of a page token.
    static func history(
        run: String, key: String, after: (step: Int64, ms: Int64)?, limit: Int,
        on connection: Connection
    ) throws -> [Row] {
        try connection.query(
            """
            select key, value::text as value, step, \(timeColumn) from run_metrics
            where run = $1 and key = $2 and ($3::bigint is null or (step, at) > ($3::bigint, to_timestamp($4::bigint / 1000.0)))
            order by step, at limit $5
            """, [run, key, after.map { String($0.step) }, after.map { String($0.ms) }, String(limit)])
    }
}
