import Foundation
import Manifests
import Postgres

/// What became of each delivery: one row per event and target, updated after every attempt.
public protocol DeliveryLog: Sendable {
    /// A new delivery of `event` to `target` (its label); returns its row's id.
    func begin(_ event: NotificationEvent, target: String) async throws -> Int64
    /// After an attempt: the state (`retrying`, `delivered`, `failed`), the HTTP status if one came
    /// back and the error (already redacted).
    func attempted(_ id: Int64, attempts: Int, state: String, status: Int?, error: String?) async throws
}

/// The delivery log in the reconciler's Postgres, next to its status: the newest
/// `keepPerSource` deliveries per source are kept. Every replica writes it and any replica's
/// `GET /notifications` (`dpctl notifications log`) reads it.
public struct NotificationLog: DeliveryLog {
    public static let migrations = [
        Migration(
            920, "reconciler notification deliveries",
            """
            create table reconciler_notifications (
                id bigserial primary key,
                delivery text not null,
                source text not null,
                target text not null,
                event text not null,
                commit text not null,
                object text,
                state text not null,
                attempts integer not null default 0,
                last_status integer,
                last_error text,
                created_at timestamptz not null default now(),
                updated_at timestamptz not null default now());
            create index reconciler_notifications_source on reconciler_notifications (source, id desc);
            """)
    ]

    public static let keepPerSource = 500

    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public func begin(_ event: NotificationEvent, target: String) async throws -> Int64 {
        try await pool.withTransaction { connection in
            let rows = try connection.query(
                """
                insert into reconciler_notifications (delivery, source, target, event, commit, object, state)
                values ($1, $2, $3, $4, $5, $6, 'sending') returning id
                """, [event.id, event.source, target, event.kind.rawValue, event.commit, event.object])
            try connection.query(
                """
                delete from reconciler_notifications where source = $1 and id <
                    (select min(id) from (select id from reconciler_notifications where source = $1
                     order by id desc limit \(Self.keepPerSource)) newest)
                """, [event.source])
            return rows.first?.int("id") ?? 0
        }
    }

    public func attempted(_ id: Int64, attempts: Int, state: String, status: Int?, error: String?) async throws {
        try await pool.withConnection {
            try $0.query(
                """
                update reconciler_notifications set attempts = $2, state = $3, last_status = $4, last_error = $5, updated_at = now()
                where id = $1
                """, [String(id), String(attempts), state, status.map(String.init), error])
        }
    }

    /// The newest deliveries first, of one source or all.
    public func list(source: String?, limit: Int) async throws -> JSONValue {
        try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                select id, delivery, source, target, event, commit, object, state, attempts, last_status, last_error,
                    \(SQLTime.utc("created_at")), \(SQLTime.utc("updated_at"))
                from reconciler_notifications where $1::text is null or source = $1
                order by id desc limit \(max(1, min(limit, 1000)))
                """, [source])
            func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
            let items = rows.map { row -> JSONValue in
                .object([
                    JSONMember("id", row.int("id").map { .int($0) } ?? .null), JSONMember("delivery", text(row["delivery"])),
                    JSONMember("source", text(row["source"])), JSONMember("target", text(row["target"])),
                    JSONMember("event", text(row["event"])), JSONMember("commit", text(row["commit"])),
                    JSONMember("object", text(row["object"])), JSONMember("state", text(row["state"])),
                    JSONMember("attempts", row.int("attempts").map { .int($0) } ?? .null),
                    JSONMember("lastStatus", row.int("last_status").map { .int($0) } ?? .null),
                    JSONMember("lastError", text(row["last_error"])), JSONMember("createdAt", text(row["created_at"])),
                    JSONMember("updatedAt", text(row["updated_at"])),
                ])
            }
            return .object([JSONMember("deliveries", .array(items))])
        }
    }
}
