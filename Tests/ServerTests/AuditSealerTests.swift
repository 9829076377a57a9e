import Blocking
import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

@testable import Audit

/// The audit chain sealed after commit (`AuditSealer`): concurrent writers on two servers, a
/// transaction that commits late with a lower position, one that rolls back, and a sealer
/// killed in the middle of a batch.
@Suite struct AuditSealerTests {
    /// Replicas of one deployment share their signing keys (a Secret in Kubernetes): either may
    /// sign a checkpoint, and the other must trust it.
    static let replicas: [String: String] = {
        func key() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }
        return ["DATAPILOT_TOKEN_SIGNING_KEYS": "replica \(key())", "DATAPILOT_EVIDENCE_SIGNING_KEYS": "replica \(key())"]
    }()

    /// 8 clients writing through two server processes on one database (each with a sealer),
    /// with dry runs that take a position and roll back: every change has exactly one event, the
    /// chain is 1, 2, 3, … without a hole and verifies, and nothing is left unsealed.
    @Test func concurrentWritersOnTwoServersLoseNothing() async throws {
        try await withServer(environment: Self.replicas) { server in
            let other = try await server.sibling(environment: Self.replicas)
            let servers = [server, other]
            let names = try await withThrowingTaskGroup(of: [String].self) { group in
                for client in 0..<8 {
                    group.addTask {
                        var created: [String] = []
                        for i in 0..<12 {
                            let target = servers[(client + i) % 2]
                            let name = "w\(client)-\(i)"
                            if i % 4 == 3 {
                                let dry = try await target.request("POST", "/api/datasets?dryRun=true", json: dataset(name + "-dry"))
                                #expect(dry.status == 201, "\(dry.text)")
                            }
                            let response = try await target.request("POST", "/api/datasets", json: dataset(name))
                            #expect(response.status == 201, "\(response.text)")
                            created.append(name)
                        }
                        return created
                    }
                }
                var all: [String] = []
                for try await names in group { all += names }
                return all
            }
            #expect(names.count == 96)
            let events = try await other.auditEvents()
            let sequences = events.compactMap { $0["sequence"]?.numberValue }.map { Int64($0) }
            #expect(!sequences.isEmpty && sequences == Array(1...Int64(sequences.count)), "\(sequences)")
            var perResource: [String: Int] = [:]
            for event in events { perResource[event["resource"]?.stringValue ?? "", default: 0] += 1 }
            for name in names { #expect(perResource["dataset/\(name)"] == 1, "dataset/\(name)") }
            #expect(perResource.keys.filter { $0.hasSuffix("-dry") }.isEmpty, "\(perResource.keys.sorted())")
            for target in servers {
                let verified = try await target.request("GET", "/api/audit/verify")
                #expect(verified.json["valid"]?.boolValue == true, "\(verified.text)")
                #expect(verified.json["checked"]?.numberValue == Double(events.count), "\(verified.text)")
            }
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            let counts = try await pool.withConnection {
                try $0.query("select count(*) filter (where sequence is null) as unsealed, max(position) as top from audit_events").first!
            }
            #expect(counts.int("unsealed") == 0)
            // The dry runs took positions: the positions have gaps, the chain has none.
            #expect((counts.int("top") ?? 0) >= Int64(events.count + 24), "\(counts.int("top") ?? 0) for \(events.count) events")
        }
    }

    /// A transaction that took its position before a later write but commits after it is sealed
    /// after it, not skipped; one that rolls back leaves no hole; a checkpoint signs the head.
    @Test func aLateCommitIsSealedAndARollbackLeavesNoHole() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("l1")).status == 201)
            let late = try HeldSession(server.databaseURL)
            let gone = try HeldSession(server.databaseURL)
            try await late.query("begin")
            let latePosition = try await late.run {
                try AuditLog.append(AuditDraft(actor: "test", action: "late", resource: "test/late", requestID: "late"), on: $0)
            }
            try await gone.query("begin")
            _ = try await gone.run {
                try AuditLog.append(AuditDraft(actor: "test", action: "gone", resource: "test/gone", requestID: "gone"), on: $0)
            }
            #expect(try await server.request("POST", "/api/datasets", json: dataset("l2")).status == 201)
            try await gone.query("rollback")

            let before = try await server.auditEvents()
            let resources = before.compactMap { $0["resource"]?.stringValue }
            #expect(resources.contains("dataset/l2") && !resources.contains("test/late"), "\(resources)")
            let l2Position = try await late.query(
                "select position from audit_events where resource = 'dataset/l2' and sequence is not null"
            ).first?.int("position")
            #expect((l2Position ?? 0) > latePosition, "l2 at \(l2Position ?? 0), the late event at \(latePosition)")

            try await late.query("commit")
            let after = try await server.auditEvents()
            let sequences = after.compactMap { $0["sequence"]?.numberValue }.map { Int64($0) }
            #expect(sequences == Array(1...Int64(after.count)), "\(sequences)")
            let order = after.compactMap { $0["resource"]?.stringValue }
            #expect(order.filter { $0 == "test/late" }.count == 1 && !order.contains("test/gone"), "\(order)")
            #expect(order.last == "test/late", "sealed after what committed before it: \(order)")
            let verified = try await server.request("GET", "/api/audit/verify")
            #expect(verified.json["valid"]?.boolValue == true, "\(verified.text)")
            let signed = try await server.request("POST", "/api/audit/checkpoints")
            #expect(signed.json["sequence"]?.numberValue == Double(after.count), "\(signed.text)")
        }
    }

    /// The sealer blocked inside its batch (its update waits on a row lock the test holds), the
    /// server killed with SIGKILL: the batch rolls back whole, and a new server seals it with the
    /// chain continuous, nothing lost or doubled.
    @Test func aSealerKilledMidBatchLosesNothing() async throws {
        try await withServer(environment: Self.replicas) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("k0")).status == 201)
            let sealedBefore = try await server.auditEvents().count
            let holder = try HeldSession(server.databaseURL)
            let watcher = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { watcher.close() }
            // Hold the sealing lock while the writes commit, so they pile up unsealed.
            try await holder.query("select pg_advisory_lock(x'\(AuditSealer.lockKey)'::bigint)")
            for i in 1...20 { #expect(try await server.request("POST", "/api/datasets", json: dataset("k\(i)")).status == 201) }
            let pending = try await holder.query("select position from audit_events where sequence is null order by position")
            #expect(pending.count == 20)
            let middle = try #require(pending.dropFirst(10).first?["position"])
            try await holder.query("begin")
            try await holder.query("select position from audit_events where position = $1::bigint for update", [middle])
            try await holder.query("select pg_advisory_unlock(x'\(AuditSealer.lockKey)'::bigint)")

            func sealersWaiting() async throws -> Int64 {
                try await watcher.withConnection {
                    try $0.query(
                        """
                        select count(*) as n from pg_stat_activity
                        where query like 'update audit_events as e set sequence%' and state = 'active'
                        """
                    ).first?.int("n") ?? 0
                }
            }
            #expect(try await eventually(120) { try await sealersWaiting() == 1 }, "the sealer never reached its update")
            Subprocess.stop(server.process)
            try await holder.query("rollback")
            #expect(try await eventually(120) { try await sealersWaiting() == 0 }, "the killed sealer's transaction never ended")
            // The killed batch rolled back whole: the row it waited on is unsealed, and what was
            // sealed before it (a reader's catch-up may have sealed the events it saw first) is a
            // chain without a hole.
            let state = try await watcher.withConnection {
                try $0.query(
                    """
                    select count(*) filter (where sequence is null) as unsealed, count(sequence) as sealed, max(sequence) as head,
                        bool_or(position = $1::bigint and sequence is null) as held_unsealed
                    from audit_events
                    """, [middle]
                ).first!
            }
            #expect(state.bool("held_unsealed") == true, "the row the killed sealer waited on stays unsealed")
            #expect((state.int("unsealed") ?? 0) >= 1 && state.int("sealed") == state.int("head"), "\(state)")
            let restarted = try await server.restart(with: Self.replicas)
            let events = try await restarted.auditEvents()
            let sequences = events.compactMap { $0["sequence"]?.numberValue }.map { Int64($0) }
            #expect(sequences == Array(1...Int64(events.count)), "\(sequences)")
            #expect(events.count == sealedBefore + 20)
            let resources = events.compactMap { $0["resource"]?.stringValue }
            for i in 0...20 { #expect(resources.filter { $0 == "dataset/k\(i)" }.count == 1, "dataset/k\(i)") }
            let verified = try await restarted.request("GET", "/api/audit/verify")
            #expect(verified.json["valid"]?.boolValue == true, "\(verified.text)")
            let metrics = try await restarted.request("GET", "/metrics")
            #expect(metrics.text.contains("datapilot_audit_seal_lag_seconds"), "\(metrics.text.prefix(2000))")
        }
    }
}

/// One Postgres session held across awaits (a transaction left open between requests), used
/// only from its own serial queue.
final class HeldSession: @unchecked Sendable {
    let connection: Connection
    let queue = BlockingQueue(label: "datapilot.tests.held-session")

    init(_ url: String) throws { connection = try Connection.connect(url) }

    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) async throws -> [Row] {
        try await queue.run { try self.connection.query(sql, parameters) }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await queue.run { try body(self.connection) }
    }
}
