import Postgres

/// Webhook deliveries seen in the last 24 hours, in the reconciler's Postgres so every replica
/// refuses a replay another one accepted, and a restart forgets nothing. A delivery is known by
/// keys (`WebhookVerifier.Verified.replayKeys`): the sender's delivery id, and for GitHub, whose
/// signature covers only the body, the body's sha256 too (a captured hook sent again with a new
/// `X-GitHub-Delivery` has the same body; two pushes never do, their bodies name their commits).
public struct WebhookDeliveries: Sendable {
    public static let migrations = [
        Migration(
            910, "reconciler webhook deliveries",
            """
            create table reconciler_webhook_deliveries (
                source text not null,
                key text not null,
                received_at timestamptz not null default now(),
                primary key (source, key));
            create index reconciler_webhook_deliveries_age on reconciler_webhook_deliveries (received_at);
            """)
    ]

    public static let window = "24 hours"

    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    /// Records the delivery's keys for `source`; false (nothing recorded) when any of them was
    /// seen within the window. Concurrent copies of one delivery: one wins, the other is false.
    public func firstUse(source: String, keys: [String]) async throws -> Bool {
        guard !keys.isEmpty else { return true }
        return try await pool.withTransaction { connection in
            try connection.query("delete from reconciler_webhook_deliveries where received_at < now() - interval '\(Self.window)'")
            var inserted = 0
            for key in keys {
                inserted += try connection.query(
                    """
                    insert into reconciler_webhook_deliveries (source, key) values ($1, $2) on conflict do nothing returning 1 as n
                    """, [source, key]
                ).count
            }
            guard inserted == keys.count else { throw Replayed() }
            return true
        }
    }

    struct Replayed: Error {}
}
