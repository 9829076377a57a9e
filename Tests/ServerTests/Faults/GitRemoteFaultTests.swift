import Foundation
import Manifests
import TestSupport
import Testing

/// Faults on the git side of the loop, each against a real reconciler and server, ending with
/// `FaultInvariants`.
@Suite(.timeLimit(.minutes(3))) struct GitRemoteFaultTests {
    /// The remote (git daemon) down for three intervals: status and metrics show the git errors
    /// and the backoff; once it is back, the commit pushed meanwhile is applied within an
    /// interval or so.
    @Test func aRemoteDownForThreeIntervalsIsFollowedAgainOnceItIsBack() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        var daemon = try GitDaemon.start(base: repository.folder.deletingLastPathComponent().path)
        let port = daemon.port
        defer { daemon.stop() }
        let url = "git://127.0.0.1:\(port)/\(repository.folder.lastPathComponent)"
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server, arguments: ["--repo", url, "--path", "examples", "--name", "examples", "--interval", "1s"])
            do {
                let invariants = FaultInvariants(
                    server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                try await invariants.expectConverged(to: try await repository.git("rev-parse", "HEAD"))

                daemon.stop()
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let head = try await repository.commit("Churn has its own team")
                // Three intervals at least, and until status shows the failure.
                try await Task.sleep(for: .seconds(3))
                let failing = try await eventually(30) { await reconciler.source("examples")?["result"]?.stringValue == "error" }
                let status = await reconciler.source("examples")
                #expect(failing, "status shows the git error: \(String(describing: status))")
                #expect(status?["error"]?.stringValue?.isEmpty == false, "\(String(describing: status))")
                #expect(status?["lastAppliedCommit"]?.stringValue != head)
                let metrics = try await MetricsConventionTests.scrape(reconciler.baseURL)
                let errors = metrics.split(separator: "\n").filter { $0.hasPrefix("datapilot_git_errors_total{") }
                #expect(!errors.isEmpty, "datapilot_git_errors_total counts the failures: \(metrics.prefix(3000))")
                let syncErrors = metrics.split(separator: "\n").filter {
                    $0.hasPrefix("datapilot_syncs_total{") && $0.contains("result=\"error\"")
                }
                #expect(!syncErrors.isEmpty, "datapilot_syncs_total{result=\"error\"}: \(metrics.prefix(3000))")

                daemon = try GitDaemon.start(base: repository.folder.deletingLastPathComponent().path, port: port)
                try await invariants.expectConverged(to: head, within: 30)
                #expect(await reconciler.source("examples")?["result"]?.stringValue == "synced")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// A force-push that rewrites the applied commit away: the reconciler follows the rewritten
    /// branch (as Flux does), and the objects match it.
    @Test func aForcePushThatRewritesTheAppliedCommitIsFollowed() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server,
                arguments: ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1s", "--prune"])
            do {
                let invariants = FaultInvariants(
                    server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let rewritten = try await repository.commit("Churn has its own team")
                try await invariants.expectConverged(to: rewritten)

                // The commit is rewritten away: reset to its parent and commit something else.
                try await repository.git("reset", "-q", "--hard", "HEAD~1")
                try edit(
                    repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: retention@example.com")
                let replacement = try await repository.commit("Churn belongs to retention")
                #expect(replacement != rewritten)
                try await invariants.expectConverged(to: replacement)
                let churn = try await server.request("GET", "/api/datasets/churn").json
                #expect(churn["spec"]?["owner"] == "retention@example.com", "\(churn)")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// The branch deleted, then made again at another commit: while it is gone the source
    /// reports the missing ref and keeps its last applied commit; once it is back it is followed.
    @Test func aDeletedThenRecreatedBranchIsReportedThenFollowed() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await repository.git("checkout", "-q", "-b", "release")
        let first = try await repository.git("rev-parse", "HEAD")
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--ref", "refs/heads/release", "--path", "examples", "--name", "examples", "--interval", "1s",
                ])
            do {
                let invariants = FaultInvariants(
                    server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                try await invariants.expectConverged(to: first)

                try await repository.git("checkout", "-q", "main")
                try await repository.git("branch", "-q", "-D", "release")
                let missing = try await eventually(30) { await reconciler.source("examples")?["result"]?.stringValue == "error" }
                let status = await reconciler.source("examples")
                #expect(missing, "the missing branch is reported: \(String(describing: status))")
                #expect(status?["lastAppliedCommit"]?.stringValue == first, "the last applied commit stays")

                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let next = try await repository.commit("Churn has its own team")
                try await repository.git("branch", "-q", "release", next)
                try await invariants.expectConverged(to: next, within: 30)
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// A source following a tag: the annotated tag moved forward to a new commit, then back to
    /// the first (a release withdrawn), is followed each time, as a force-updated branch is.
    @Test func aMovedTagIsFollowedForwardAndBack() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let first = try await repository.git("rev-parse", "HEAD")
        try await repository.git("tag", "-a", "-m", "First release", "release")
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--ref", "refs/tags/release", "--path", "examples", "--name", "examples", "--interval", "1s",
                ])
            do {
                let invariants = FaultInvariants(
                    server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples"))
                try await invariants.expectConverged(to: first)

                // A commit the tag does not name yet, then the tag moved onto it.
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn@example.com")
                let second = try await repository.commit("Churn has its own team")
                try await repository.git("tag", "-f", "-a", "-m", "Second release", "release")
                try await invariants.expectConverged(to: second)
                #expect(try await server.request("GET", "/api/datasets/churn").json["spec"]?["owner"] == "churn@example.com")

                // Moved back: the first commit is applied again.
                try await repository.git("tag", "-f", "-a", "-m", "Second release withdrawn", "release", first)
                try await repository.git("checkout", "-q", first)
                try await invariants.expectConverged(to: first)
                #expect(
                    try await server.request("GET", "/api/datasets/churn").json["spec"]?["owner"] == "growth-analytics@example.com")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}
