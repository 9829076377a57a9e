import Foundation
import Manifests
import Postgres

/// What operators set on a source (suspended, pinned to an earlier applied commit) and the
/// commits' authors for `dpctl source history`, in the reconciler's Postgres next to its leases
/// and history: every replica reads them on each poll and they survive restarts.
public struct SourceControls: Sendable {
    public static let migrations = [
        Migration(
            930, "reconciler source controls",
            """
            create table reconciler_controls (
                source text primary key,
                suspended boolean not null default false,
                pinned_commit text,
                held_back_commit text,
                held_back_at timestamptz,
                changed_by text,
                changed_at timestamptz);
            create table reconciler_commits (
                source text not null,
                commit text not null,
                author text,
                message text,
                primary key (source, commit));
            """)
    ]

    /// A source's controls. `heldBack` is the head a poll saw and did not apply (suspended, or
    /// pinned to another commit): the proof that the reconciler looked.
    public struct State: Sendable, Equatable {
        public var suspended = false
        public var pinned: String?
        public var heldBack: String?
    }

    /// A control that does not fit the source's state (resume of a running source, unpin of an
    /// unpinned one): nothing was changed.
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public func state(_ source: String) async throws -> State {
        try await pool.withConnection { connection in
            let row = try connection.query(
                "select suspended, pinned_commit, held_back_commit from reconciler_controls where source = $1", [source]
            ).first
            guard let row else { return State() }
            return State(suspended: row["suspended"] == "t", pinned: row["pinned_commit"], heldBack: row["held_back_commit"])
        }
    }

    /// Records the head a poll saw and did not apply (nil: none held back any more).
    public func holdBack(_ source: String, commit: String?) async throws {
        try await pool.withConnection {
            try $0.query(
                """
                insert into reconciler_controls (source, held_back_commit, held_back_at) values ($1, $2, now())
                on conflict (source) do update set held_back_commit = $2, held_back_at = now()
                """, [source, commit])
        }
    }

    /// Changes a source's controls in one transaction under its row lock; `change` throws a
    /// `Refusal` when the state does not allow it (then nothing changes). Returns the state before.
    @discardableResult
    public func change(_ source: String, by actor: String, _ change: @escaping @Sendable (inout State) throws -> Void) async throws -> State
    {
        try await pool.withTransaction { connection in
            try connection.query("insert into reconciler_controls (source) values ($1) on conflict do nothing", [source])
            let row = try connection.query(
                "select suspended, pinned_commit, held_back_commit from reconciler_controls where source = $1 for update", [source]
            ).first
            let before = State(suspended: row?["suspended"] == "t", pinned: row?["pinned_commit"], heldBack: row?["held_back_commit"])
            var after = before
            try change(&after)
            try connection.query(
                """
                update reconciler_controls set suspended = $2, pinned_commit = $3, held_back_commit = $4, changed_by = $5,
                    changed_at = now() where source = $1
                """, [source, after.suspended ? "t" : "f", after.pinned, after.heldBack, actor])
            return before
        }
    }

    /// Keeps a synced commit's author and message for the history.
    public func remember(_ source: String, commit: String, author: String, message: String) async throws {
        try await pool.withConnection {
            try $0.query(
                "insert into reconciler_commits (source, commit, author, message) values ($1, $2, $3, $4) on conflict do nothing",
                [source, commit, author, String(message.prefix(4096))])
        }
    }

    /// The commits this source applied (its kept history's synced syncs and its last applied
    /// commit) that start with `prefix`.
    public func appliedCommits(_ source: String, prefix: String) async throws -> [String] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                select commit from reconciler_history where source = $1 and result = 'synced' and starts_with(commit, $2)
                union
                select last_applied_commit from reconciler_sources where name = $1 and starts_with(last_applied_commit, $2)
                """, [source, prefix.lowercased()]
            ).compactMap { $0["commit"] }.sorted()
        }
    }

    /// `GET /sources`: each named source's status and controls, in the order given.
    public func list(_ names: [String]) async throws -> [JSONValue] {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                select s.name, s.url, s.ref, s.path, s.owner, s.last_applied_commit, s.last_attempted_commit, s.last_result,
                    s.health, s.health_message, \(SQLTime.utc("s.applied_at", as: "applied_at")), coalesce(c.suspended, false) as suspended, c.pinned_commit,
                    c.held_back_commit, \(SQLTime.utc("c.held_back_at", as: "held_back_at")), c.changed_by,
                    \(SQLTime.utc("c.changed_at", as: "changed_at"))
                from reconciler_sources s left join reconciler_controls c on c.source = s.name
                where s.name = any(string_to_array($1, ','))
                """, [names.joined(separator: ",")])
            let byName = Dictionary(rows.compactMap { row in row["name"].map { ($0, row) } }) { first, _ in first }
            return names.compactMap { name in
                guard let row = byName[name] else { return nil }
                var members = [JSONMember("name", .string(name)), JSONMember("suspended", .bool(row["suspended"] == "t"))]
                let fields = [
                    ("url", "url"), ("ref", "ref"), ("path", "path"), ("owner", "owner"), ("pinnedCommit", "pinned_commit"),
                    ("heldBackCommit", "held_back_commit"), ("heldBackAt", "held_back_at"), ("lastAppliedCommit", "last_applied_commit"),
                    ("lastAttemptedCommit", "last_attempted_commit"), ("result", "last_result"), ("appliedAt", "applied_at"),
                    ("changedBy", "changed_by"), ("changedAt", "changed_at"), ("health", "health"), ("healthMessage", "health_message"),
                ]
                for (key, column) in fields {
                    if let value = row[column] { members.append(JSONMember(key, .string(StatusStore.redacted(value) ?? value))) }
                }
                return .object(members)
            }
        }
    }

    /// `GET /sources/NAME/history`: the source's syncs, newest first, with each commit's author.
    public func history(_ source: String, limit: Int) async throws -> [JSONValue] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                select h.commit, h.result, h.health, h.counts::text as counts, h.error, h.duration_ms, \(SQLTime.utc("h.started_at", as: "started_at")),
                    c.author, c.message
                from reconciler_history h left join reconciler_commits c on c.source = h.source and c.commit = h.commit
                where h.source = $1 order by h.id desc limit \(limit)
                """, [source]
            ).map { row in
                var members: [JSONMember] = []
                for (key, column) in [
                    ("commit", "commit"), ("result", "result"), ("health", "health"), ("author", "author"), ("startedAt", "started_at"),
                ] {
                    if let value = row[column] { members.append(JSONMember(key, .string(value))) }
                }
                if let message = row["message"] {
                    members.append(JSONMember("message", .string(String(message.split(separator: "\n").first ?? ""))))
                }
                if let error = row["error"] { members.append(JSONMember("error", .string(StatusStore.redacted(error) ?? error))) }
                if let ms = row.int("duration_ms") { members.append(JSONMember("durationMs", .int(ms))) }
                let counts = StatusStore.counts(row["counts"]).sorted { $0.key < $1.key }
                members.append(JSONMember("counts", .object(counts.map { JSONMember($0.key, .int(Int64($0.value))) })))
                return .object(members)
            }
        }
    }
}
