import AuditChain
import Crypto
import Foundation
import Manifests
import Postgres

/// The audit log: an append-only hash chain in Postgres. Each entry's hash covers its content
/// and the previous entry's hash, so a row edited, inserted or deleted behind the server's back
/// breaks the chain at that point, and `verify` says where. A writer only inserts its event with
/// a `position` from a sequence (no lock, no head read); `AuditSealer` links committed events
/// into the chain (`sequence`, `previous_hash`, `hash`) afterwards, in batches.
public enum AuditLog {
    public static let genesis = AuditEntry.genesis
    /// The chain's table, then the checkpoints'.
    public static let migrations = chainMigrations + AuditCheckpoints.migrations + sealingMigrations + [actionIndex]

    static let chainMigrations = [
        Migration(
            200, "audit events",
            """
            create table audit_events (
                sequence bigint primary key,
                occurred_at timestamptz not null,
                time_text text not null,
                actor text not null,
                action text not null,
                resource text not null,
                request_id text not null,
                outcome text not null,
                before_digest text,
                after_digest text,
                diff jsonb not null,
                source jsonb not null,
                previous_hash text not null,
                hash text not null);
            create index audit_events_resource on audit_events (resource, sequence);
            create index audit_events_actor on audit_events (actor, sequence);
            create index audit_events_time on audit_events (occurred_at);
            """)
    ]

    /// The newest events of one action (`sync`, `drift-detected`: the UI's Sources and Drift
    /// pages, the overview) read by index instead of walking the chain from its head.
    static let actionIndex = Migration(
        221, "audit events by action", "create index audit_events_action on audit_events (action, sequence) where sequence is not null;")

    /// Appends an event inside the caller's transaction (the change and its audit event commit
    /// or roll back together). The event takes a position and its time, nothing else: it joins
    /// the chain when `AuditSealer` seals it after the commit, so a write never waits for
    /// another writer. Returns the event's position (not its chain sequence).
    @discardableResult
    public static func append(_ draft: AuditDraft, on connection: Connection) throws -> Int64 {
        let row = try connection.query(
            """
            insert into audit_events (occurred_at, time_text, actor, action, resource, request_id, outcome,
                before_digest, after_digest, diff, source)
            select now.t::timestamptz, now.t, $1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb
            from (select to_char(clock_timestamp() at time zone 'UTC', \(timeFormat)) as t) as now
            returning position
            """,
            [
                draft.actor, draft.action, draft.resource, draft.requestID, draft.outcome, draft.before.map(digest),
                draft.after.map(digest), JSONValue.array(JSONDiff.changes(from: draft.before, to: draft.after).map(\.json)).jsonString(),
                (draft.source ?? .object([])).jsonString(),
            ]
        ).first
        return row?.int("position") ?? 0
    }

    /// The last entry's sequence, 0 for an empty log.
    static func headSequence(on connection: Connection) throws -> Int64 {
        try connection.query("select max(sequence) as sequence from audit_events").first?.int("sequence") ?? 0
    }

    /// The database's clock, as audit entries and checkpoints record it.
    static func now(on connection: Connection) throws -> String {
        try connection.query(#"select to_char(clock_timestamp() at time zone 'UTC', \#(timeFormat)) as t"#).first!["t"]!
    }

    /// ISO 8601 in UTC with microseconds, as `to_char` writes it.
    static let timeFormat = #"'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"#

    static func hash(of event: AuditEvent) -> String { event.computedHash }

    /// Whether `event.hash` is its content's hash: in RFC 8785 form, or for an entry written
    /// before that form, in the earlier canonical form.
    static func hashMatches(_ event: AuditEvent) -> Bool { event.hashMatches }

    public static func digest(_ value: JSONValue) -> String {
        "sha256:" + hex(SHA256.hash(data: value.canonicalJSON))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        Hex.encode(digest)
    }

    static let columns = """
        sequence, time_text, actor, action, resource, request_id, outcome, before_digest, after_digest,
        diff::text as diff, source::text as source, previous_hash, hash,
        case when occurred_at = time_text::timestamptz then time_text
            when occurred_at is null then 'none'
            else to_char(occurred_at at time zone 'UTC', \(timeFormat)) end as occurred_text
        """

    static func event(_ row: Row) throws -> AuditEvent {
        func json(_ text: String?) -> JSONValue {
            guard let text, case .success(let value) = JSONText.parse(text) else { return .null }
            return value
        }
        return AuditEvent(
            sequence: row.int("sequence") ?? 0, time: row["time_text"]!, actor: row["actor"]!, action: row["action"]!,
            resource: row["resource"]!, requestID: row["request_id"]!, outcome: row["outcome"]!,
            beforeDigest: row["before_digest"], afterDigest: row["after_digest"],
            diff: json(row["diff"]), source: json(row["source"]), previousHash: row["previous_hash"] ?? "", hash: row["hash"] ?? "",
            occurredAt: row["occurred_text"])
    }
}
