import Testing

@testable import Reconciler

/// The doorbell alone: rings, timeouts, coalescing and stop, without polling.
// Generous: see WorkerServiceTests.
@Suite(.timeLimit(.minutes(3))) struct DoorbellTests {
    @Test func aWaitWithoutARingTimesOut() async {
        let doorbell = Doorbell()
        var listener = doorbell.listener()
        #expect(await listener.wait(for: .milliseconds(20)) == .timeout)
        #expect(await listener.wait(for: .milliseconds(20)) == .timeout)
    }

    /// The wait is far longer than the suite's time limit: only the ring can end it in time, and
    /// `.rung` (not `.timeout`) says it did. No wall-clock bound: a loaded machine may be slow.
    @Test func aRingEndsAWaitEarly() async {
        let doorbell = Doorbell()
        let waiter = Task {
            var listener = doorbell.listener()
            return await listener.wait(for: .seconds(3600))
        }
        try? await Task.sleep(for: .milliseconds(20))
        doorbell.ring()
        #expect(await waiter.value == .rung)
    }

    /// Rings while a sync runs (no one waiting) coalesce into one more sync.
    @Test func ringsWhileBusyCoalesceIntoOne() async {
        let doorbell = Doorbell()
        var listener = doorbell.listener()
        for _ in 0..<5 { doorbell.ring() }
        #expect(await listener.wait(for: .seconds(30)) == .rung)
        #expect(await listener.wait(for: .milliseconds(20)) == .timeout)
    }

    @Test func stopEndsEveryWait() async {
        let doorbell = Doorbell()
        var listener = doorbell.listener()
        doorbell.stop()
        #expect(doorbell.isStopped)
        #expect(await listener.wait(for: .seconds(30)) == .stopped)
        #expect(await listener.wait(for: .seconds(30)) == .stopped)
    }

    @Test func aCancelledWaiterStopsTheDoorbell() async {
        let doorbell = Doorbell()
        let waiter = Task {
            var listener = doorbell.listener()
            return await listener.wait(for: .seconds(30))
        }
        waiter.cancel()
        #expect(await waiter.value == .stopped)
        #expect(doorbell.isStopped)
    }
}
