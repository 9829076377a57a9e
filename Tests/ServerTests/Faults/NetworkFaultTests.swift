import Foundation
import Manifests
import TestSupport
import Testing

/// A network that stalls or drops, between the reconciler and the server and between the
/// reconciler and git, through a loopback proxy: the reconciler's timeouts fire (`api-timeout`,
/// the source's `timeout`), status says why, its port keeps answering, and once the network is
/// back the source converges, each object created once.
@Suite(.timeLimit(.minutes(3))) struct NetworkFaultTests {
    /// The server's connections stall (accepted, never answered), then drop the answers to the
    /// POSTs (batches, uploads, events) the server did: each request gives up after
    /// `api-timeout` (2 s here, not the default 60 s for each of 4 attempts), the failed sync is
    /// in status within seconds, and once the network is back the retried writes replay rather
    /// than repeat.
    @Test func aStalledThenDroppingServerConnectionTimesOutAndRecovers() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let proxy = try await ForwardingProxy.start(to: server.port)
            defer { proxy.stop() }
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1s", "--api-timeout", "2s",
                ], environment: ["DATAPILOT_SERVER": proxy.endpoint])
            do {
                let invariants = FaultInvariants(
                    server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                try await invariants.expectConverged(to: try await repository.git("rev-parse", "HEAD"))

                try proxy.stall()
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let stalled = try await repository.commit("Churn has its own team")
                let start = ContinuousClock.now
                let failed = try await Self.failedToApply(stalled, reconciler)
                let took = ContinuousClock.now - start
                let status = await reconciler.source("examples")
                #expect(failed, "the stalled sync is reported: \(String(describing: status))\n\(reconciler.logText.suffix(3000))")
                #expect(status?["error"]?.stringValue?.contains("timed out") == true, "\(String(describing: status))")
                // Four attempts of 2 s and their backoff, plus a poll: far from the default's 4 minutes.
                #expect(took < .seconds(60), "the stalled requests gave up after \(took)")
                #expect(status?["lastAppliedCommit"]?.stringValue != stalled)

                // Answers to POSTs cut midway: the server did each batch, the reconciler never
                // hears of it and retries with the same idempotency keys; a create and an edit.
                try proxy.dropPostAnswers(to: server.port)
                try """
                apiVersion: datapilot.io/v1alpha1
                kind: Dataset
                metadata: {name: refunds}
                spec: {format: csv, owner: billing@example.com}
                """.write(to: repository.file("examples/datasets/refunds.yaml"), atomically: true, encoding: .utf8)
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: churn@example.com", "owner: retention@example.com")
                let dropped = try await repository.commit("Refunds, and churn to retention")
                #expect(try await Self.failedToApply(dropped, reconciler), "\(reconciler.logText.suffix(3000))")

                try proxy.forward(to: server.port)
                try await invariants.expectConverged(to: dropped, within: 60)
                let creates = try await server.auditEvents("&action=create&resource=dataset/refunds")
                #expect(creates.count == 1, "refunds created once: \(creates)")
                let metrics = try await MetricsConventionTests.scrape(reconciler.baseURL)
                let failures = metrics.split(separator: "\n").filter {
                    $0.hasPrefix("datapilot_syncs_total{") && ($0.contains("result=\"failed\"") || $0.contains("result=\"error\""))
                }
                #expect(!failures.isEmpty, "datapilot_syncs_total counts the failed syncs: \(metrics.prefix(3000))")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// The git remote stalls (git daemon behind a proxy that stops answering): the source's
    /// `timeout` (2 s) fires, status shows the timeout, and the source follows again once the
    /// remote answers.
    @Test func aStalledGitRemoteTimesOutAndIsFollowedOnceItAnswers() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let daemon = try GitDaemon.start(base: repository.folder.deletingLastPathComponent().path)
        defer { daemon.stop() }
        let proxy = try await ForwardingProxy.start(to: daemon.port)
        defer { proxy.stop() }
        let url = "git://127.0.0.1:\(proxy.peer.port)/\(repository.folder.lastPathComponent)"
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server,
                arguments: ["--repo", url, "--path", "examples", "--name", "examples", "--interval", "1s", "--timeout", "2s"])
            do {
                let invariants = FaultInvariants(
                    server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                try await invariants.expectConverged(to: try await repository.git("rev-parse", "HEAD"))

                try proxy.stall()
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let head = try await repository.commit("Churn has its own team")
                let start = ContinuousClock.now
                let timedOut = try await eventually(60) {
                    await reconciler.source("examples")?["error"]?.stringValue?.contains("timed out after 2s") == true
                }
                let took = ContinuousClock.now - start
                let status = await reconciler.source("examples")
                #expect(timedOut, "the git timeout is reported: \(String(describing: status))\n\(reconciler.logText.suffix(3000))")
                #expect(status?["result"]?.stringValue == "error", "\(String(describing: status))")
                #expect(took < .seconds(45), "the stalled remote was given up after \(took)")

                try proxy.forward(to: daemon.port)
                try await invariants.expectConverged(to: head, within: 60)
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// Waits until the reconciler attempted `commit` and did not apply it.
    static func failedToApply(_ commit: String, _ reconciler: TestReconciler) async throws -> Bool {
        try await eventually(60) {
            let status = await reconciler.source("examples")
            let result = status?["result"]?.stringValue
            return status?["lastAttemptedCommit"]?.stringValue == commit && (result == "failed" || result == "error")
        }
    }
}
