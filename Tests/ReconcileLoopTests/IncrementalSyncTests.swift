import APIModel
import Foundation
import GitSource
import Logging
import Testing

@testable import Reconciler

/// Incremental syncs (only the objects a commit may change are planned) end where full syncs do.
@Suite struct IncrementalSyncTests {
    /// Two sources and servers fed the same seeded random commits: one syncs incrementally,
    /// the other fully; after every commit both servers hold the same objects, written as often,
    /// and the same apply set, which is the commit's desired set.
    /// Seeds 6 and 7 run on a source that cannot tell file versions (every object hashed each time).
    @Test(arguments: [(UInt64(1), true), (2, true), (3, false), (4, true), (5, false), (6, true), (7, false)])
    func incrementalSyncsEndWhereFullSyncsDo(seed: UInt64, prune: Bool) async throws {
        var repository = RandomRepository(seed: seed)
        let incremental = Side(prune: prune, versions: seed < 6)
        let full = Side(prune: prune)
        for step in 0..<40 {
            let changes = step == 0 ? ["first commit"] : repository.change()
            let commit = String(format: "%040x", step + 1)
            incremental.source.commit(commit, repository.texts)
            full.source.commit(commit, repository.texts)
            let a = try #require(await incremental.worker.syncOnce())
            let b = try #require(await full.worker.syncOnce(force: true))
            #expect(a.outcome == .synced && b.outcome == .synced, "step \(step) \(changes): \(a.error ?? "") \(b.error ?? "")")
            let (mine, theirs) = (incremental.server.snapshot, full.server.snapshot)
            let differences = Self.differences(mine, theirs)
            #expect(differences.isEmpty, "step \(step) after \(changes): \(differences)")
            #expect(Set(mine.objects.keys).isSuperset(of: repository.refs), "step \(step)")
            if prune { #expect(Set(mine.objects.keys) == repository.refs && mine.members == repository.refs, "step \(step)") }
            guard mine == theirs else { break }
        }
        // The incremental side planned and read a fraction of what the full side did.
        let planned = incremental.server.work.withLock { $0.dropFirst().map(\.planned).reduce(0, +) }
        let read = incremental.server.work.withLock { $0.dropFirst().map(\.read).reduce(0, +) }
        let fullPlanned = full.server.work.withLock { $0.dropFirst().map(\.planned).reduce(0, +) }
        #expect(planned * 2 < fullPlanned, "planned \(planned), full \(fullPlanned)")
        // Without prune, objects that left the commit stay members and are read by each sync (to
        // forget them when gone, as a full sync does).
        if prune { #expect(read * 2 < fullPlanned, "read \(read), full \(fullPlanned)") }
        #expect(incremental.source.diffs == 39)
    }

    /// The objects and members on which two servers differ, as `ref: why` lines.
    static func differences(_ mine: ObjectServer.State, _ theirs: ObjectServer.State) -> [String] {
        var out: [String] = []
        for ref in Set(mine.objects.keys).union(theirs.objects.keys).sorted() where mine.objects[ref] != theirs.objects[ref] {
            let what = mine.objects[ref] == nil ? "missing" : theirs.objects[ref] == nil ? "extra" : "differs"
            out.append("\(ref): \(what)")
        }
        for ref in (mine.members ?? []).symmetricDifference(theirs.members ?? []).sorted() {
            out.append("\(ref): \(mine.members?.contains(ref) == true ? "extra" : "missing") member")
        }
        return out
    }

    /// A new commit after the resync interval is synced whole (and then incrementally again).
    @Test func aCommitAfterTheResyncIntervalIsSyncedWhole() async throws {
        var repository = RandomRepository(seed: 9)
        let side = Side(prune: true, resync: 0)
        side.source.commit(String(format: "%040x", 1), repository.texts)
        _ = await side.worker.syncOnce()
        _ = repository.change()
        side.source.commit(String(format: "%040x", 2), repository.texts)
        #expect(await side.worker.syncOnce()?.outcome == .synced)
        #expect(side.source.diffs == 0)
        #expect(side.server.work.withLock { $0.last!.planned } >= repository.count)
    }

    /// After a restart the first poll scans the applied commit for drift; the next commit is then
    /// synced incrementally against it (not whole), and ends where a full sync does.
    @Test func aCommitAfterARestartsDriftScanIsSyncedIncrementally() async throws {
        var repository = RandomRepository(seed: 13)
        let before = Side(prune: true)
        before.source.commit(String(format: "%040x", 1), repository.texts)
        #expect(await before.worker.syncOnce()?.outcome == .synced)
        // A new process on the same server: it knows only the applied commit (from the status store).
        let after = Side(prune: true, server: before.server)
        after.source.commit(String(format: "%040x", 1), repository.texts)
        await after.worker.resume(from: String(format: "%040x", 1))
        #expect(await after.worker.syncOnce() == nil)  // the drift scan
        let changes = repository.change()
        after.source.commit(String(format: "%040x", 2), repository.texts)
        #expect(await after.worker.syncOnce()?.outcome == .synced)
        #expect(after.source.diffs == 1)
        #expect(after.server.work.withLock { $0.last!.planned } < repository.count, "\(changes)")
        let full = Side(prune: true)
        full.source.commit(String(format: "%040x", 2), repository.texts)
        #expect(await full.worker.syncOnce()?.outcome == .synced)
        #expect(Set(after.server.snapshot.objects.keys) == Set(full.server.snapshot.objects.keys))
        #expect(after.server.snapshot.members == repository.refs)
    }

    /// A sync that failed leaves the next one whole.
    @Test func aFailedSyncMakesTheNextOneWhole() async throws {
        let side = Side(prune: true)
        var repository = RandomRepository(seed: 11)
        side.source.commit(String(format: "%040x", 1), repository.texts)
        _ = await side.worker.syncOnce()
        await side.worker.failAfterwards()
        _ = repository.change()
        side.source.commit(String(format: "%040x", 2), repository.texts)
        _ = await side.worker.syncOnce()
        #expect(side.source.diffs == 0)
        #expect(side.server.work.withLock { $0.last!.planned } >= repository.count)
    }
}

/// One source, its worker and its server.
struct Side {
    let source: FilesSource
    let server: ObjectServer
    let worker: SourceWorker

    init(prune: Bool, resync: Double = 3600, versions: Bool = true, server: ObjectServer = ObjectServer()) {
        source = FilesSource(versions: versions)
        self.server = server
        let configuration = SourceConfiguration(
            spec: SourceSpec(
                name: "random", url: "https://git.example.com/ml/random.git", ref: "refs/heads/main", path: "", auth: .none,
                timeoutSeconds: 30),
            resync: resync, prune: prune, maxDeletes: 1000)
        worker = SourceWorker(
            configuration: configuration, source: source, client: server, store: MemoryStatus(), metrics: ReconcilerMetrics(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

extension SourceWorker {
    /// As if the sync before had failed: the next one is a retry.
    func failAfterwards() { failures = 1 }

    /// As a worker starts: the commit applied last, from the status store.
    func resume(from commit: String) { lastApplied = commit }
}
