import Blocking
import Foundation
import Testing

/// The threads the C calls block on. Each blocking call of a concurrent `BlockingQueue` must get a
/// thread of its own at once: a gateway proxying a long download, a UI page streaming one, or the
/// reconciler fetching a slow remote holds its thread for minutes, and must not hold up the rest.
@Suite struct BlockingQueueTests {
    /// Arrivals counted under a lock; each waits until `expected` have arrived or `seconds` pass.
    final class Rendezvous: @unchecked Sendable {
        let condition = NSCondition()
        var arrived = 0
        let expected: Int

        init(_ expected: Int) { self.expected = expected }

        func arriveAndWait(seconds: Double) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            arrived += 1
            condition.broadcast()
            let deadline = Date().addingTimeInterval(seconds)
            while arrived < expected {
                if !condition.wait(until: deadline) { return arrived >= expected }
            }
            return true
        }
    }

    /// 48 calls that each block until all 48 are blocked at once. On Linux a Dispatch concurrent
    /// queue lends blocked work only a few threads (about one per core), so this waited out its
    /// 20 s with a handful running; a queue per call (overcommit) runs them all.
    @Test func manyBlockingCallsRunAtOnce() async {
        let queue = BlockingQueue(concurrentLabel: "datapilot.test.blocking")
        let rendezvous = Rendezvous(48)
        let all = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<48 { group.addTask { await queue.run { rendezvous.arriveAndWait(seconds: 20) } } }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(all, "only \(rendezvous.arrived) of 48 blocking calls ran at once")
    }

    /// A serial queue keeps its calls in order, one at a time.
    @Test func aSerialQueueRunsOneAtATime() async {
        let queue = BlockingQueue(label: "datapilot.test.serial")
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var entries: [Int] = []
            var running = 0
            var most = 0
        }
        let log = Log()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    await queue.run {
                        log.lock.withLock {
                            log.running += 1
                            log.most = max(log.most, log.running)
                        }
                        usleep(2_000)
                        log.lock.withLock {
                            log.running -= 1
                            log.entries.append(index)
                        }
                    }
                }
            }
        }
        #expect(log.most == 1 && log.entries.count == 8)
    }
}
