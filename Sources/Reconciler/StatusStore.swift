import APIModel
import Foundation
import Manifests
import Postgres
import Redaction

/// Status per source and a history of recent syncs, in Postgres so that every replica (and
/// `dpctl status` through any of them) sees all sources.
public struct StatusStore: Sendable {
    public static let migrations = [
        Migration(
            900, "reconciler status",
            """
            create table reconciler_sources (
                name text primary key,
                url text not null,
                ref text not null,
                path text not null,
                owner text,
                last_attempted_commit text,
                last_applied_commit text,
                last_result text,
                last_error text,
                counts jsonb not null default '{}',
                duration_ms integer,
                attempted_at timestamptz,
                applied_at timestamptz,
                poll_requested_at timestamptz,
                updated_at timestamptz not null default now());
            create table reconciler_history (
                id bigserial primary key,
                source text not null,
                commit text,
                result text not null,
                counts jsonb not null default '{}',
                error text,
                duration_ms integer not null,
                started_at timestamptz not null,
                finished_at timestamptz not null default now());
            create index reconciler_history_source on reconciler_history (source, id desc);
            """),
        Migration(
            950, "reconciler sync health",
            """
            alter table reconciler_sources add column health text, add column health_message text;
            alter table reconciler_history add column health text;
            """),
        // Poll requests are counted, not ordered by time: a replica rings its worker when the
        // count changes, so the database's clock stepping back hides none (issue 21).
        Migration(
            960, "reconciler poll requests counted", "alter table reconciler_sources add column poll_requests bigint not null default 0;"),
    ]

    public static let historyLength = 50

    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    /// Makes sure each configured source has a row (the settings may have changed).
    public func register(_ sources: [SourceConfiguration]) async throws {
        try await pool.withTransaction { connection in
            for source in sources {
                try connection.query(
                    """
                    insert into reconciler_sources (name, url, ref, path) values ($1, $2, $3, $4)
                    on conflict (name) do update set url = $2, ref = $3, path = $4, updated_at = now()
                    """, [source.name, Redact.credentials(source.spec.url), source.spec.ref, source.spec.path])
            }
        }
    }

    public func claim(_ source: String, owner: String?) async throws {
        try await pool.withConnection {
            try $0.query("update reconciler_sources set owner = $2, updated_at = now() where name = $1", [source, owner])
        }
    }

    /// The last commit applied to the server, to resume from after a restart or a takeover.
    public func lastApplied(_ source: String) async throws -> String? {
        try await pool.withConnection {
            try $0.query("select last_applied_commit from reconciler_sources where name = $1", [source]).first?["last_applied_commit"]
        }
    }

    public func record(_ record: SyncRecord) async throws {
        let milliseconds = String(Int(record.duration * 1000))
        let started = ISO8601DateFormatter().string(from: record.started)
        try await pool.withTransaction { connection in
            try connection.query(
                """
                update reconciler_sources set last_attempted_commit = coalesce($2, last_attempted_commit), last_result = $3,
                    last_error = $4, counts = $5::jsonb, duration_ms = $6, attempted_at = now(),
                    health = case when $3 = 'synced' then $7 else health end,
                    health_message = case when $3 = 'synced' then $8 else health_message end,
                    last_applied_commit = case when $3 = 'synced' then $2 else last_applied_commit end,
                    applied_at = case when $3 = 'synced' then now() else applied_at end, updated_at = now()
                where name = $1
                """,
                [
                    record.source, record.commit, record.outcome.rawValue, record.error.map(Redact.credentials),
                    record.countsJSON.jsonString(), milliseconds, record.health?.health.rawValue, record.health?.summary,
                ])
            try connection.query(
                """
                insert into reconciler_history (source, commit, result, counts, error, duration_ms, started_at, health)
                values ($1, $2, $3, $4::jsonb, $5, $6, $7::timestamptz, $8)
                """,
                [
                    record.source, record.commit, record.outcome.rawValue, record.countsJSON.jsonString(),
                    record.error.map(Redact.credentials), milliseconds, started, record.health?.health.rawValue,
                ])
            try connection.query(
                """
                delete from reconciler_history where source = $1 and id not in
                    (select id from reconciler_history where source = $1 order by id desc limit \(Self.historyLength))
                """, [record.source])
        }
    }

    /// The health of the applied commit's objects changed after its sync: the source's row (when
    /// that commit is still the one applied) and the commit's latest history entry follow.
    public func recordHealth(_ source: String, commit: String, report: HealthReport) async throws {
        try await pool.withTransaction { connection in
            try connection.query(
                "update reconciler_sources set health = $3, health_message = $4, updated_at = now() where name = $1 and last_applied_commit = $2",
                [source, commit, report.health.rawValue, report.summary])
            try connection.query(
                """
                update reconciler_history set health = $3 where id =
                    (select id from reconciler_history where source = $1 and commit = $2 and result = 'synced' order by id desc limit 1)
                """, [source, commit, report.health.rawValue])
        }
    }

    /// Asks whichever replica owns the source to poll now (a webhook arrived elsewhere).
    public func requestPoll(_ source: String) async throws {
        try await pool.withConnection {
            try $0.query(
                "update reconciler_sources set poll_requested_at = clock_timestamp(), poll_requests = poll_requests + 1 where name = $1",
                [source])
        }
    }

    /// Every source's count of poll requests; the sources to poll are those whose count changed
    /// since the last look (a count, not a time: a clock stepping back would hide requests).
    public func pollRequestCounts() async throws -> [String: Int64] {
        try await pool.withConnection { connection in
            let rows = try connection.query("select name, poll_requests::text as requests from reconciler_sources where poll_requests > 0")
            var counts: [String: Int64] = [:]
            for row in rows {
                if let name = row["name"], let count = row["requests"].flatMap(Int64.init) { counts[name] = count }
            }
            return counts
        }
    }

    /// Every source with its status and its recent history, as `GET /status` shows them.
    public func status(historyPerSource: Int = 10) async throws -> ReconcilerStatus {
        try await pool.withConnection { connection in
            let sources = try connection.query(
                """
                select name, url, ref, path, owner, last_attempted_commit, last_applied_commit, last_result, last_error,
                    counts::text as counts, duration_ms, health, health_message,
                    \(SQLTime.utc("attempted_at")),
                    \(SQLTime.utc("applied_at"))
                from reconciler_sources order by name
                """)
            var items: [SourceStatus] = []
            for row in sources {
                let name = row["name"]!
                let history = try connection.query(
                    """
                    select commit, result, counts::text as counts, error, duration_ms, health,
                        \(SQLTime.utc("started_at"))
                    from reconciler_history where source = $1 order by id desc limit \(historyPerSource)
                    """, [name])
                var status =
                    SourceStatus(
                        name: name, url: Self.redacted(row["url"]), ref: Self.redacted(row["ref"]), path: Self.redacted(row["path"]),
                        owner: row["owner"], lastAttemptedCommit: row["last_attempted_commit"],
                        lastAppliedCommit: row["last_applied_commit"], result: row["last_result"].flatMap(SyncOutcome.init(rawValue:)),
                        error: Self.redacted(row["last_error"]), counts: Self.counts(row["counts"]),
                        durationMs: row.int("duration_ms").map(Int.init),
                        attemptedAt: row["attempted_at"], appliedAt: row["applied_at"],
                        history: history.compactMap { h in
                            guard let result = h["result"].flatMap(SyncOutcome.init(rawValue:)) else { return nil }
                            var entry = SyncHistoryEntry(
                                commit: h["commit"], result: result, counts: Self.counts(h["counts"]), error: Self.redacted(h["error"]),
                                durationMs: h.int("duration_ms").map(Int.init), startedAt: h["started_at"])
                            entry.health = h["health"].flatMap(HealthState.init(rawValue:))
                            return entry
                        })
                status.health = row["health"].flatMap(HealthState.init(rawValue:))
                status.healthMessage = row["health_message"]
                items.append(status)
            }
            return ReconcilerStatus(sources: items)
        }
    }

    /// Rows written before redaction existed may hold a URL with credentials: shown redacted.
    static func redacted(_ value: String?) -> String? { value.map(Redact.credentials) }

    /// A `counts` column: what the sync did, by action.
    static func counts(_ text: String?) -> [String: Int] {
        guard let text, case .success(.object(let members)) = JSONText.parse(text) else { return [:] }
        var counts: [String: Int] = [:]
        for member in members { if let number = member.value.numberValue { counts[member.key] = Int(number) } }
        return counts
    }
}
