import Foundation
import Postgres

/// Whether an API key may still be used (not revoked, not expired), as the tokens issued for it
/// are checked on every request: looked up in Postgres at most once per key every `ttl`, so a
/// revoked key's tokens stop within that many seconds on every replica and service.
actor APIKeyStatus {
    let pool: ConnectionPool
    let ttl: Duration
    private var seen: [String: (usable: Bool, at: ContinuousClock.Instant)] = [:]

    init(pool: ConnectionPool, ttlSeconds: Double) {
        self.pool = pool
        ttl = .milliseconds(Int64(max(0, ttlSeconds) * 1000))
    }

    func isUsable(_ id: String) async throws -> Bool {
        let now = ContinuousClock.now
        if let entry = seen[id], now - entry.at < ttl { return entry.usable }
        let usable = try await pool.withConnection { connection in
            try !connection.query("select 1 from api_keys where id = $1 and revoked_at is null and (expires_at is null or expires_at > now())",
                                  [id]).isEmpty
        }
        if seen.count >= 10_000 { seen.removeAll(keepingCapacity: true) }
        seen[id] = (usable, now)
        return usable
    }
}
