import Manifests
import Postgres

/// The audit events OpenLineage events are made from, read in chain order (`sequence`) after a
/// cursor kept in `openlineage_cursor`. One feed at a time advances the cursor (a transaction-scoped
/// advisory lock), so replicas never emit an event twice; a feed that finds the lock taken waits
/// for its next pass.
enum AuditFeed {
    static let migrations = [
        Migration(
            310, "openlineage cursor",
            """
            create table openlineage_cursor (id integer primary key check (id = 1), sequence bigint not null,
                updated_at timestamptz not null default now());
            """)
    ]

    /// The actions that become run events: run state changes, evaluations (and the quarantine that
    /// records an evaluation that could not run), syncs.
    static let actions = ["state", "evaluate", "quarantine", "sync"]

    /// One audit event as the feed reads it.
    struct Entry: Sendable {
        var sequence: Int64
        var time: String
        var action: String
        var resource: String
        var outcome: String
        /// The `new` values of the event's diff, by JSON pointer (`/state`, `/evaluation`); an event
        /// without `before` (one change at the root) gives each member of its `after`.
        var changes: [String: JSONValue]
        var source: JSONValue
    }

    /// Under the feed's lock: the events after the cursor (at most `limit`) and the cursor moved
    /// past them; nil when another replica holds the lock. The first pass starts at the head.
    static func next(limit: Int, on connection: Connection) throws -> [Entry]? {
        let locked = try connection.query("select pg_try_advisory_xact_lock(hashtext('datapilot.openlineage')) as locked").first?.bool(
            "locked")
        guard locked == true else { return nil }
        guard let cursor = try connection.query("select sequence from openlineage_cursor where id = 1 for update").first?.int("sequence")
        else {
            try connection.query(
                "insert into openlineage_cursor (id, sequence) select 1, coalesce(max(sequence), 0) from audit_events on conflict do nothing"
            )
            return []
        }
        let rows = try connection.query(
            """
            select sequence, time_text, action, resource, outcome, diff::text as diff, source::text as source
            from (select * from audit_events where sequence > $1 order by sequence limit $2) batch
            order by sequence
            """, [String(cursor), String(limit)])
        guard let last = rows.last?.int("sequence") else { return [] }
        try connection.query("update openlineage_cursor set sequence = $1, updated_at = now() where id = 1", [String(last)])
        return rows.compactMap { row -> Entry? in
            guard let action = row["action"], actions.contains(action), let sequence = row.int("sequence") else { return nil }
            var changes: [String: JSONValue] = [:]
            for change in parse(row["diff"]).arrayValue ?? [] {
                guard let path = change["path"]?.stringValue, let new = change["new"] else { continue }
                // An event without `before` records its whole `after` as one change at the root.
                if path.isEmpty, let members = new.objectValue {
                    for member in members { changes["/" + member.key] = member.value }
                } else {
                    changes[path] = new
                }
            }
            return Entry(
                sequence: sequence, time: row["time_text"] ?? "", action: action, resource: row["resource"] ?? "",
                outcome: row["outcome"] ?? "", changes: changes, source: parse(row["source"]))
        }
    }

    static func parse(_ text: String?) -> JSONValue {
        guard let text, case .success(let value) = JSONText.parse(text) else { return .null }
        return value
    }
}
