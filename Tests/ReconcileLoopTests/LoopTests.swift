import GitSource
import Manifests
import Testing

@testable import Reconciler

/// The loop's decisions, one poll at a time, over git, the server and the status store in memory.
@Suite struct LoopTests {
    @Test func anUnchangedCommitIsSkipped() async {
        let loop = Loop([Commits.first: Texts.experiment])
        #expect(await loop.worker.syncOnce()?.outcome == .synced)
        #expect(await loop.worker.syncOnce() == nil)
        #expect(loop.server.syncs.count == 1)
        #expect(loop.source.snapshots == [Commits.first])
    }

    @Test func aNewCommitIsSyncedAndRecorded() async throws {
        let loop = Loop([Commits.first: Texts.experiment, Commits.second: Texts.experiment])
        _ = await loop.worker.syncOnce()
        loop.source.move(to: Commits.second)
        let record = try #require(await loop.worker.syncOnce())
        #expect(record.outcome == .synced && record.commit == Commits.second && record.counts == ["created": 1])
        #expect(await loop.worker.lastApplied == Commits.second)
        #expect(loop.status.records.withLock { $0.map(\.outcome) } == [.synced, .synced])
        let event = try #require(loop.server.events.last)
        #expect(event.path == "/api/audit/syncs")
        #expect(event.body["result"]?.stringValue == "synced" && event.body["commit"]?.stringValue == Commits.second)
        #expect(event.body["author"]?.stringValue == "Ada <ada@example.com>")
        #expect(loop.metrics.text().contains(#"datapilot_source_last_applied_info{source="examples",commit="\#(Commits.second)"} 1"#))
    }

    @Test func anInvalidCommitIsNotRetriedUntilTheRefMoves() async throws {
        let loop = Loop([Commits.first: Texts.experiment, Commits.second: Texts.invalid, Commits.third: Texts.experiment])
        _ = await loop.worker.syncOnce()
        loop.source.move(to: Commits.second)
        let invalid = try #require(await loop.worker.syncOnce())
        #expect(invalid.outcome == .invalid && invalid.commit == Commits.second)
        #expect(invalid.error?.contains("manifests.yaml:") == true, "\(invalid.error ?? "")")
        #expect(await loop.worker.nextDelay(after: invalid) >= .seconds(54))  // the interval, not a backoff
        #expect(await loop.worker.syncOnce() == nil)
        #expect(loop.source.snapshots == [Commits.first, Commits.second])
        #expect(loop.server.syncs.count == 1)
        #expect(await loop.worker.lastApplied == Commits.first)  // the last good commit stays
        loop.source.move(to: Commits.third)
        #expect(await loop.worker.syncOnce()?.outcome == .synced)
    }

    @Test func aCommitThatExecutesRunsIsRefusedWhole() async throws {
        let loop = Loop([Commits.first: Texts.executing])
        let record = try #require(await loop.worker.syncOnce())
        #expect(record.outcome == .invalid)
        #expect(
            record.error?.contains("run/pushed asks to be executed") == true && record.error?.contains("execute: allowed") == true,
            "\(record.error ?? "")")
        #expect(loop.server.syncs.isEmpty)
        #expect(loop.server.events.first?.body["result"]?.stringValue == "invalid")
    }

    @Test func aSourceAllowedToExecuteAppliesIt() async {
        let loop = Loop([Commits.first: Texts.executing], executeAllowed: true)
        #expect(await loop.worker.syncOnce()?.outcome == .synced)
        #expect(loop.server.syncs == [["churn-baselines", "pushed"]])
    }

    @Test func failuresBackOffAndRetryTheSameCommit() async throws {
        let loop = Loop([Commits.first: Texts.experiment], interval: 5)
        loop.server.answer(.failed)
        var delays: [Duration] = []
        for _ in 0..<5 {
            let record = try #require(await loop.worker.syncOnce())
            #expect(
                record.outcome == .failed && record.error?.contains("experiment/churn-baselines failed") == true, "\(record.error ?? "")")
            delays.append(await loop.worker.nextDelay(after: record))
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        #expect(loop.server.syncs.count == 5)
        loop.server.answer(.created)
        let record = try #require(await loop.worker.syncOnce())
        #expect(record.outcome == .synced)
        let delay = await loop.worker.nextDelay(after: record)
        #expect(delay >= .seconds(4.5) && delay <= .seconds(5.5))
        #expect(await loop.worker.failures == 0)
    }

    @Test func aDueResyncOfTheAppliedCommitIsADriftScan() async {
        let loop = Loop([Commits.first: Texts.experiment], resync: 0)
        #expect(await loop.worker.syncOnce()?.outcome == .synced)
        #expect(await loop.worker.syncOnce() == nil)
        #expect(loop.server.scans == 1)
        #expect(loop.server.syncs.count == 1)
        #expect(loop.status.records.withLock { $0.count } == 1)  // a scan is not a sync
    }

    @Test func aGitErrorIsAnErrorCountedByKind() async throws {
        let loop = Loop([Commits.first: Texts.experiment])
        loop.source.fail(GitSourceError(.timeout, "ls-remote took longer than 30 s"))
        let record = try #require(await loop.worker.syncOnce())
        #expect(record.outcome == .error && record.commit == nil && record.error?.contains("timeout") == true)
        #expect(await loop.worker.nextDelay(after: record) == .seconds(1))
        #expect(loop.server.events.isEmpty)  // no commit, no audit event
        let metrics = loop.metrics.text()
        #expect(metrics.contains(#"datapilot_git_errors_total{source="examples",kind="timeout"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"datapilot_sync_errors_total{source="examples",result="error"} 1"#), "\(metrics)")
        loop.source.fail(nil)
        #expect(await loop.worker.syncOnce()?.outcome == .synced)
    }

    @Test func anUnsignedHeadIsRefusedBeforeAnythingElse() async throws {
        let loop = Loop([Commits.first: Texts.invalid], verify: Self.verify)
        let record = try #require(await loop.worker.syncOnce())
        #expect(record.outcome == .invalid && record.error?.contains("commit \(Commits.first.prefix(12)) is not signed") == true)
        #expect(record.error?.contains("manifests.yaml:") == false)  // refused before its manifests are looked at
        #expect(loop.server.syncs.isEmpty)
        #expect(loop.server.events.last?.body["signer"] == nil)
        #expect(await loop.worker.syncOnce() == nil)  // not retried until the ref moves
    }

    /// The applied commit may predate `verify:` (resumed from the status table): a due drift
    /// scan must not heal towards it; it is reported as refused instead.
    @Test func aDriftScanDoesNotHealTowardsAnUnsignedAppliedCommit() async throws {
        let loop = Loop([Commits.first: Texts.experiment], resync: 0, verify: Self.verify)
        await loop.worker.resume(applied: Commits.first)
        let record = try #require(await loop.worker.syncOnce())
        #expect(record.outcome == .invalid && record.error?.contains("is not signed") == true, "\(record.error ?? "")")
        #expect(loop.server.scans == 0 && loop.server.syncs.isEmpty)
    }

    static let verify = CommitVerification(provider: .gpg, keys: [], keysOrigin: "sources[0].verify.keys-file (/keys.asc)")

    @Test func aForcedSyncAppliesTheAppliedCommitAgain() async {
        let loop = Loop([Commits.first: Texts.experiment])
        _ = await loop.worker.syncOnce()
        #expect(await loop.worker.syncOnce(force: true)?.outcome == .synced)
        #expect(loop.server.syncs.count == 2)
    }
}
