import Foundation
import Logging
import Notifications
import Postgres
import Redaction

/// The events waiting for each sink, in Postgres (`openlineage_outbox`): written in the
/// transaction that moves the feed's cursor past their audit events and deleted once delivered
/// or given up on. A restart, a crash or a collector down for a while loses none of them, and
/// each sink gets its events in the order they were made: a pass tries the oldest first and
/// tries nothing after one that failed until that one is delivered or given up on. One replica
/// at a time delivers to a sink (a transaction-scoped advisory lock per sink).
enum Outbox {
    static let migrations = [
        Migration(
            311, "openlineage outbox",
            """
            create table openlineage_outbox (id bigserial primary key, sink text not null, body text not null,
                attempts integer not null default 0, next_attempt_at timestamptz not null default now(),
                created_at timestamptz not null default now());
            create index openlineage_outbox_sink on openlineage_outbox (sink, id);
            """)
    ]

    /// Queues each body for each sink (by label); beyond `limit` waiting per sink the oldest go.
    /// Returns how many were dropped.
    static func enqueue(_ bodies: [String], sinks: [String], limit: Int, on connection: Connection) throws -> Int {
        guard !bodies.isEmpty else { return 0 }
        var dropped = 0
        for sink in sinks {
            for body in bodies { try connection.query("insert into openlineage_outbox (sink, body) values ($1, $2)", [sink, body]) }
            dropped +=
                try connection.query(
                    """
                    delete from openlineage_outbox where sink = $1
                      and id <= (select id from openlineage_outbox where sink = $1 order by id desc offset $2 limit 1)
                    returning id
                    """, [sink, String(limit)]
                ).count
        }
        return dropped
    }

    /// Rows of sinks no longer configured: removed at start, with their count.
    static func forgetSinks(except labels: [String], on connection: Connection) throws -> Int {
        try connection.query("delete from openlineage_outbox where not (sink = any($1::text[])) returning id", [PostgresArray.text(labels)])
            .count
    }

    /// How a delivery pass ended.
    enum Pass: Equatable {
        /// A full batch went: go on at once.
        case more
        /// Nothing waits (or another replica delivers to this sink): wait for the next tick.
        case idle
        /// The oldest event is due in this many seconds.
        case waiting(Double)
    }

    /// One pass for `sink`: up to `batch` of its oldest events, in order, each tried once.
    static func deliver(
        to sink: any LineageSink, retry: RetryPolicy, batch: Int, stopping: () -> Bool, logger: Logger, on connection: Connection
    ) throws -> Pass {
        let locked = try connection.query(
            "select pg_try_advisory_xact_lock(hashtext('datapilot.openlineage.sink.' || $1)) as locked", [sink.label]
        ).first?.bool("locked")
        guard locked == true else { return .idle }
        let rows = try connection.query(
            """
            select id, body, attempts, greatest(0, extract(epoch from next_attempt_at - clock_timestamp()))::float8 as wait
            from openlineage_outbox where sink = $1 order by id limit $2
            """, [sink.label, String(batch)])
        for row in rows {
            guard let id = row["id"], let body = row["body"] else { continue }
            let wait = Double(row["wait"] ?? "0") ?? 0
            if wait > 0 { return .waiting(wait) }
            let attempt = Int(row.int("attempts") ?? 0) + 1
            do throws(SinkFailure) {
                try sink.deliver(Array(body.utf8))
                if attempt > 1 {
                    logger.info("OpenLineage event delivered", metadata: ["sink": .string(sink.label), "attempts": "\(attempt)"])
                }
            } catch {
                let masked = Redact.secrets(sink.secrets, in: error.message)
                if error.retryable, attempt < retry.attempts, !stopping() {
                    let delay = retry.delay(after: attempt)
                    logger.debug(
                        "OpenLineage delivery failed; retrying", metadata: ["sink": .string(sink.label), "error": .string(masked)])
                    try connection.query(
                        "update openlineage_outbox set attempts = $2, next_attempt_at = clock_timestamp() + make_interval(secs => $3) where id = $1",
                        [id, String(attempt), String(delay)])
                    return .waiting(delay)
                }
                if stopping(), error.retryable {
                    // Shutting down: the event stays for the next start.
                    try connection.query("update openlineage_outbox set attempts = $2 where id = $1", [id, String(attempt)])
                    return .idle
                }
                logger.warning(
                    "OpenLineage event not delivered",
                    metadata: ["sink": .string(sink.label), "attempts": "\(attempt)", "error": .string(masked)])
            }
            try connection.query("delete from openlineage_outbox where id = $1", [id])
        }
        return rows.count == batch ? .more : .idle
    }
}
