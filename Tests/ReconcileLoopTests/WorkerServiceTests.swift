import Logging
import ServiceLifecycle
import Testing

@testable import Reconciler

/// A worker as a service: graceful shutdown waits for the sync in progress and starts no other.
// The limit catches a hang; it is generous because on a loaded two-core machine the whole test
// process can wait a long time for the cooperative pool.
@Suite(.timeLimit(.minutes(3))) struct WorkerServiceTests {
    @Test func gracefulShutdownLetsTheSyncInProgressFinish() async throws {
        let loop = Loop([Commits.first: Texts.experiment], holding: true)
        let group = ServiceGroup(services: [loop.worker], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var entered = loop.server.entered.makeAsyncIterator()
            _ = await entered.next()  // a sync is in progress
            await group.triggerGracefulShutdown()
            try await Task.sleep(for: .milliseconds(20))
            #expect(loop.status.records.withLock { $0.isEmpty })  // still syncing
            loop.server.release()
            try await tasks.waitForAll()
        }
        #expect(loop.status.records.withLock { $0.map(\.outcome) } == [.synced])
        #expect(loop.server.syncs.count == 1)
    }

    /// Webhooks while a sync runs: one more poll right after it (which finds the new commit), not one each.
    @Test func ringsDuringASyncBringExactlyOneMorePoll() async throws {
        let loop = Loop([Commits.first: Texts.experiment, Commits.second: Texts.experiment], holding: true)
        let run = Task { await loop.worker.run() }
        var entered = loop.server.entered.makeAsyncIterator()
        _ = await entered.next()
        loop.source.move(to: Commits.second)
        for _ in 0..<3 { loop.worker.doorbell.ring() }
        loop.server.release()
        _ = await entered.next()  // the second sync, at once (the interval is a minute)
        loop.server.release()
        try await Task.sleep(for: .milliseconds(50))
        loop.worker.doorbell.stop()
        await run.value
        #expect(loop.server.syncs.count == 2)
        #expect(loop.source.resolves == 2)  // the three rings were one
    }
}
