import Foundation
import Postgres
import TestSupport
import Testing

/// A fresh schema per test so tests can run in parallel on the one private cluster.
func withScratchSchema<T: Sendable>(_ body: (ConnectionPool, String) async throws -> T) async throws -> T {
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    let admin = ConnectionPool(conninfo: try TestDatabase.url(), maxConnections: 1)
    try await admin.withConnection { try $0.query("create schema \(schema)") }
    let pool = ConnectionPool(conninfo: try TestDatabase.url() + "?options=-csearch_path%3D\(schema)", maxConnections: 4)
    do {
        let result = try await body(pool, String(schema))
        pool.close()
        try await admin.withConnection { try $0.query("drop schema \(schema) cascade") }
        admin.close()
        return result
    } catch {
        pool.close()
        _ = try? await admin.withConnection { try $0.query("drop schema \(schema) cascade") }
        admin.close()
        throw error
    }
}

@Suite struct PoolTests {
    @Test func moreCallersThanConnectionsAllFinish() async throws {
        try await withScratchSchema { pool, _ in
            let pids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await pool.withConnection { c in
                            try c.query("select pg_sleep(0.01)")
                            return try c.query("select pg_backend_pid() as pid").first!["pid"]!
                        }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(pids.count <= 4, "never more connections than the pool's bound")
            #expect(pids.count >= 1)
        }
    }

    @Test func transactionsCommitOrRollBackAsAWhole() async throws {
        try await withScratchSchema { pool, _ in
            try await pool.withConnection { try $0.query("create table t (v int primary key)") }
            try await pool.withTransaction { c in
                try c.query("insert into t values (1)")
                try c.query("insert into t values (2)")
            }
            await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { c in
                    try c.query("insert into t values (3)")
                    try c.query("insert into t values (1)")  // duplicate: the whole transaction goes
                }
            }
            let values = try await pool.withConnection { try $0.query("select v from t order by v").map { $0["v"]! } }
            #expect(values == ["1", "2"])
        }
    }

    @Test func uniqueViolationsCarrySQLState23505() async throws {
        try await withScratchSchema { pool, _ in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { c in
                    try c.query("create table u (v int primary key)")
                    try c.query("insert into u values (1), (1)")
                }
            }
            #expect(error?.sqlState == "23505")
        }
    }

    @Test func aKilledConnectionIsReplaced() async throws {
        try await withScratchSchema { pool, _ in
            let single = ConnectionPool(conninfo: pool.conninfo, maxConnections: 1)
            defer { single.close() }
            let first = try await single.withConnection { try $0.query("select pg_backend_pid() as pid").first!["pid"]! }
            try await pool.withConnection { try $0.query("select pg_terminate_backend($1::int)", [first]) }
            // The next use notices the broken connection; the one after gets a new one.
            _ = try? await single.withConnection { try $0.query("select 1") }
            let second = try await single.withConnection { try $0.query("select pg_backend_pid() as pid").first!["pid"]! }
            #expect(second != first)
        }
    }

    /// A transaction on an idle connection whose backend went away (Postgres restarted) starts on
    /// a new one: its `begin` had done nothing, so the caller sees no error.
    @Test func aTransactionOnABrokenIdleConnectionStartsOnANewOne() async throws {
        try await withScratchSchema { pool, _ in
            let single = ConnectionPool(conninfo: pool.conninfo, maxConnections: 1)
            defer { single.close() }
            let first = try await single.withConnection { try $0.query("select pg_backend_pid() as pid").first!["pid"]! }
            try await pool.withConnection { try $0.query("select pg_terminate_backend($1::int)", [first]) }
            try await Task.sleep(for: .milliseconds(200))
            let second = try await single.withTransaction { try $0.query("select pg_backend_pid() as pid").first!["pid"]! }
            #expect(second != first)
        }
    }

    /// A plain read on an idle connection whose backend went away gets a new connection too: the
    /// pool probes a connection idle for a while before lending it.
    @Test func aReadOnABrokenIdleConnectionGetsANewOne() async throws {
        try await withScratchSchema { pool, _ in
            let single = ConnectionPool(conninfo: pool.conninfo, maxConnections: 1)
            defer { single.close() }
            let first = try await single.withConnection { try $0.query("select pg_backend_pid() as pid").first!["pid"]! }
            try await pool.withConnection { try $0.query("select pg_terminate_backend($1::int)", [first]) }
            try await Task.sleep(for: .milliseconds(400))
            let second = try await single.withConnection { try $0.query("select pg_backend_pid() as pid").first!["pid"]! }
            #expect(second != first)
        }
    }

    @Test func migrationsApplyOnceEvenWhenServersStartTogether() async throws {
        try await withScratchSchema { pool, _ in
            let migrations = [
                Migration(1, "create a", "create table a (id int); insert into a values (1);"),
                Migration(2, "create b", "create table b (id int);"),
            ]
            let other = ConnectionPool(conninfo: pool.conninfo, maxConnections: 2)
            defer { other.close() }
            async let one = Migrator.migrate(pool, migrations)
            async let two = Migrator.migrate(other, migrations)
            let applied = try await [one, two]
            #expect(applied.sorted { $0.count < $1.count } == [[], [1, 2]])
            let rows = try await pool.withConnection { try $0.query("select count(*) as n from a").first!["n"] }
            #expect(rows == "1")
            #expect(try await Migrator.migrate(pool, migrations + [Migration(3, "c", "create table c (id int);")]) == [3])
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await withScratchSchema { pool, _ in
            let error = await #expect(throws: PostgresError.self) {
                try await Migrator.migrate(pool, [Migration(1, "broken", "create table x (id int); select * from nowhere;")])
            }
            #expect(error?.message.contains("migration 1 (broken) failed") == true)
            let tables = try await pool.withConnection {
                try $0.query(
                    "select count(*) as n from information_schema.tables where table_name = 'x' and table_schema = current_schema()"
                ).first!["n"]
            }
            #expect(tables == "0")
        }
    }
}
