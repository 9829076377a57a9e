import Foundation
import Postgres

/// Whether an API key may still be used (not revoked, not expired), as the tokens issued for it
/// are checked on every request: looked up in Postgres at most once per key every `ttl`, so a
/// revoked key's tokens stop within that many seconds on every replica and service.
actor APIKeyStatus {
    let pool: ConnectionPool
    let ttl: Duration
    private var seen: [String: Entry] = [:]

    /// One look at a key: whether it may be used, its secret's generation and the time that
    /// secret was set (for tokens from before generations), and when we looked.
    private struct Entry {
        var usable: Bool
        var generation: Int
        var notBefore: Double?
        var at: ContinuousClock.Instant
    }

    init(pool: ConnectionPool, ttlSeconds: Double) {
        self.pool = pool
        ttl = .milliseconds(Int64(max(0, ttlSeconds) * 1000))
    }

    /// Whether a token of key `id` issued for its secret's `generation` (older tokens: at
    /// `issuedAt`) may be used: the key is neither revoked nor expired, and its secret has not
    /// changed since (the bootstrap key, replaced after a leak, takes the old key's tokens with it).
    func isUsable(_ id: String, issuedAt: Date?, generation: Int? = nil) async throws -> Bool {
        let now = ContinuousClock.now
        let entry: Entry
        if let cached = seen[id], now - cached.at < ttl {
            entry = cached
        } else {
            let row = try await pool.withConnection { connection in
                try connection.query(
                    """
                    select extract(epoch from tokens_not_before)::text as not_before, generation::text as generation from api_keys
                    where id = $1 and revoked_at is null and (expires_at is null or expires_at > now())
                    """, [id]
                ).first
            }
            entry = Entry(
                usable: row != nil, generation: row?["generation"].flatMap { Int($0) } ?? 0,
                notBefore: row?["not_before"].flatMap(Double.init),
                at: now)
            if seen.count >= 10_000 { seen.removeAll(keepingCapacity: true) }
            seen[id] = entry
        }
        guard entry.usable else { return false }
        if let generation { return generation == entry.generation }
        guard let notBefore = entry.notBefore else { return true }
        // Token times are whole seconds: one issued in the very second of the change still passes
        // (refusing it would refuse the new key's first tokens too).
        return (issuedAt?.timeIntervalSince1970 ?? 0) >= notBefore.rounded(.down)
    }
}
