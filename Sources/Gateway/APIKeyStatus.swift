import Foundation
import Postgres

/// Whether an API key may still be used (not revoked, not expired), as the tokens issued for it
/// are checked on every request: looked up in Postgres at most once per key every `ttl`, so a
/// revoked key's tokens stop within that many seconds on every replica and service.
actor APIKeyStatus {
    let pool: ConnectionPool
    let ttl: Duration
    private var seen: [String: (usable: Bool, notBefore: Double?, at: ContinuousClock.Instant)] = [:]

    init(pool: ConnectionPool, ttlSeconds: Double) {
        self.pool = pool
        ttl = .milliseconds(Int64(max(0, ttlSeconds) * 1000))
    }

    /// Whether a token of key `id` issued at `issuedAt` may be used: the key is neither revoked nor
    /// expired, and its secret has not changed since the token was issued (`tokens_not_before`:
    /// the bootstrap key, replaced after a leak, takes the old key's tokens with it).
    func isUsable(_ id: String, issuedAt: Date?) async throws -> Bool {
        let now = ContinuousClock.now
        let entry: (usable: Bool, notBefore: Double?, at: ContinuousClock.Instant)
        if let cached = seen[id], now - cached.at < ttl {
            entry = cached
        } else {
            let row = try await pool.withConnection { connection in
                try connection.query(
                    """
                    select extract(epoch from tokens_not_before)::text as not_before from api_keys
                    where id = $1 and revoked_at is null and (expires_at is null or expires_at > now())
                    """, [id]
                ).first
            }
            entry = (row != nil, row?["not_before"].flatMap(Double.init), now)
            if seen.count >= 10_000 { seen.removeAll(keepingCapacity: true) }
            seen[id] = entry
        }
        guard entry.usable else { return false }
        guard let notBefore = entry.notBefore else { return true }
        // Token times are whole seconds: one issued in the very second of the change still passes
        // (refusing it would refuse the new key's first tokens too).
        return (issuedAt?.timeIntervalSince1970 ?? 0) >= notBefore.rounded(.down)
    }
}
