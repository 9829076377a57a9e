import Foundation
import Manifests
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults on the server side of the loop, with the reconciler reaching the server through a
/// proxy that keeps one address while the server dies and comes back on another port.
@Suite(.timeLimit(.minutes(3))) struct ServerFaultTests {
    /// The server killed (SIGKILL) while a sync's creates are in flight, then restarted: the
    /// reconciler retries and converges, and no object is created twice (the reconciler's side
    /// of ApplyInterruptTests).
    @Test func theServerKilledMidSyncThenRestartedConvergesWithoutDuplicates() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try (0..<60).map { i in
            "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: many-\(i)}\nspec: {format: csv, owner: team@example.com}\n"
        }.joined(separator: "---\n").write(to: repository.file("examples/datasets/many.yaml"), atomically: true, encoding: .utf8)
        let head = try await repository.commit("Sixty more datasets")
        try await withServer { first in
            let proxy = try await ForwardingProxy.start(to: first.port)
            defer { proxy.stop() }
            // Every insert waits once 20 datasets exist: the kill comes with creates in flight.
            let hold = try await DatasetInsertHold(databaseURL: first.databaseURL, after: 20)
            defer { hold.close() }
            let reconciler = try await TestReconciler(
                server: first,
                arguments: [
                    "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1s",
                ], environment: ["DATAPILOT_SERVER": proxy.endpoint])
            do {
                let held = try await eventually(90) { (try? await hold.reached()) == true }
                try #require(held, "the sync reached the held insert: \(reconciler.logText.suffix(2000))")
                kill(first.process.processIdentifier, SIGKILL)
                // The dead server's backends still sleep in the trigger: end them (their inserts roll back).
                try await hold.release()
                // While the server is away the reconciler reports the failure, and keeps trying.
                let failing = try await eventually(60) {
                    let result = await reconciler.source("examples")?["result"]?.stringValue
                    return result == "error" || result == "failed"
                }
                let status = await reconciler.source("examples")
                #expect(failing, "status shows the failed sync: \(String(describing: status))")

                let restarted = try await first.restart()
                try proxy.forward(to: restarted.port)
                let invariants = FaultInvariants(
                    server: restarted, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                try await invariants.expectConverged(to: head, within: 90)
                let creates = try await restarted.auditEvents("&action=create").compactMap { $0["resource"]?.stringValue }
                #expect(creates.filter { $0.hasPrefix("dataset/many-") }.count == 60, "each of the sixty created exactly once")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}
