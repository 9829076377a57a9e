import Foundation
import Manifests
import TestSupport
import Testing

/// Reconciler replicas killed (SIGKILL) while they hold a source, each test ending with
/// `FaultInvariants`. A lease is a Postgres advisory lock on the holder's own connection: the
/// kill closes that connection, Postgres drops the lock with it, and another replica's
/// supervisor (trying every second) takes the source.
@Suite(.timeLimit(.minutes(3))) struct ReplicaFaultTests {
    static let interval = 10

    static func arguments(_ repository: TestRepository) -> [String] {
        ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "\(interval)s"]
    }

    /// The holder killed: the standby holds the source within one interval and applies the
    /// commit pushed meanwhile.
    @Test func aReplicaKilledWhileHoldingASourceIsReplacedWithinAnInterval() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let first = try await TestReconciler(server: server, arguments: Self.arguments(repository))
            var second: TestReconciler?
            do {
                let invariants = FaultInvariants(
                    server: server, reconciler: first, source: "examples", manifests: repository.file("examples"))
                try await invariants.expectConverged(to: try await repository.git("rev-parse", "HEAD"))
                #expect(Self.holder(await first.source("examples")) == first.process.processIdentifier)
                let standby = try await TestReconciler(server: server, arguments: Self.arguments(repository))
                second = standby
                // The standby is up (it answers /status) and does not hold the source.
                #expect(Self.holder(await standby.source("examples")) == first.process.processIdentifier)
                #expect(try await Self.owned(standby) == 0, "the standby holds nothing yet")

                first.kill()
                let killed = ContinuousClock.now
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let head = try await repository.commit("Churn has its own team")
                let tookOver = try await eventually(60) {
                    Self.holder(await standby.source("examples")) == standby.process.processIdentifier
                }
                let took = ContinuousClock.now - killed
                #expect(tookOver, "the standby holds the source: \(standby.logText.suffix(3000))")
                #expect(took <= .seconds(Self.interval), "the takeover took \(took), more than one interval")
                try await FaultInvariants(server: server, reconciler: standby, source: "examples", manifests: repository.file("examples"))
                    .expectConverged(to: head)
                #expect(try await Self.owned(standby) == 1)
            } catch {
                await first.stop()
                await second?.stop()
                throw error
            }
            await first.stop()
            await second?.stop()
        }
    }

    /// Both replicas killed at once, a commit pushed, both started again together: exactly one
    /// holds the source, and it converges with every object created once.
    @Test func bothReplicasKilledAndRestartedTogetherConverge() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            var replicas: [TestReconciler] = []
            do {
                async let a = TestReconciler(server: server, arguments: Self.arguments(repository))
                async let b = TestReconciler(server: server, arguments: Self.arguments(repository))
                replicas = [try await a, try await b]
                try await FaultInvariants(
                    server: server, reconciler: replicas[0], source: "examples", manifests: repository.file("examples")
                )
                .expectConverged(to: try await repository.git("rev-parse", "HEAD"))

                for replica in replicas { replica.kill() }
                for replica in replicas { await replica.stop() }
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let head = try await repository.commit("Churn has its own team")
                async let c = TestReconciler(server: server, arguments: Self.arguments(repository))
                async let d = TestReconciler(server: server, arguments: Self.arguments(repository))
                replicas = [try await c, try await d]
                try await FaultInvariants(
                    server: server, reconciler: replicas[1], source: "examples", manifests: repository.file("examples")
                )
                .expectConverged(to: head)
                let holder = Self.holder(await replicas[1].source("examples"))
                #expect(replicas.map(\.process.processIdentifier).contains { $0 == holder }, "a restarted replica holds it")
                var owned = 0
                for replica in replicas { owned += try await Self.owned(replica) }
                #expect(owned == 1, "exactly one replica holds the source")
            } catch {
                for replica in replicas { await replica.stop() }
                throw error
            }
            for replica in replicas { await replica.stop() }
        }
    }

    /// The process id in the status row's owner (`host:pid`, the replica's default name).
    static func holder(_ status: JSONValue?) -> Int32? {
        status?["owner"]?.stringValue?.split(separator: ":").last.flatMap { Int32($0) }
    }

    /// `datapilot_source_owned{source="examples"}` on a replica's /metrics.
    static func owned(_ replica: TestReconciler) async throws -> Int {
        let metrics = try await MetricsConventionTests.scrape(replica.baseURL)
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("datapilot_source_owned{") && $0.contains("source=\"examples\"") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { Int($0) } ?? 0
    }
}
