/// One schema change. Versions are unique across the whole server; each module owns a range.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(_ version: Int, _ name: String, _ sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

public enum Migrator {
    /// Arbitrary constant: the advisory lock that serialises migrations across servers.
    static let lockKey = "7265636f6e63696c"

    /// Applies the migrations not yet applied, in version order, each in its own transaction,
    /// under an advisory lock so that servers starting together take turns. Returns the versions
    /// it applied.
    @discardableResult
    public static func migrate(_ pool: ConnectionPool, _ migrations: [Migration]) async throws -> [Int] {
        let sorted = migrations.sorted { $0.version < $1.version }
        var seen: Set<Int> = []
        for m in sorted where !seen.insert(m.version).inserted {
            throw PostgresError(code: .query, sqlState: nil, message: "two migrations share version \(m.version)")
        }
        return try await pool.withConnection { connection in
            try connection.query("select pg_advisory_lock(x'\(lockKey)'::bigint)")
            defer { _ = try? connection.query("select pg_advisory_unlock(x'\(lockKey)'::bigint)") }
            try connection.query(
                """
                create table if not exists schema_migrations (
                    version integer primary key,
                    name text not null,
                    applied_at timestamptz not null default now())
                """)
            let applied = Set(try connection.query("select version from schema_migrations").compactMap { $0.int("version") })
            var done: [Int] = []
            for migration in sorted where !applied.contains(Int64(migration.version)) {
                try connection.query("begin")
                do {
                    try connection.execute(script: migration.sql)
                    try connection.query(
                        "insert into schema_migrations (version, name) values ($1, $2)",
                        [String(migration.version), migration.name])
                    try connection.query("commit")
                } catch {
                    _ = try? connection.query("rollback")
                    throw PostgresError(
                        code: .query, sqlState: (error as? PostgresError)?.sqlState,
                        message: "migration \(migration.version) (\(migration.name)) failed: \(error)")
                }
                done.append(migration.version)
            }
            return done
        }
    }
}
