import Synchronization

/// A worker's doorbell: a webhook or a poll request rings it, and the worker's wait between
/// polls ends early. Rings while a sync runs coalesce into one more sync (the debounce).
final class Wakeup: Sendable {
    private let state = Mutex<(pending: Bool, stopped: Bool)>((false, false))

    func ring() { state.withLock { $0.pending = true } }

    func stop() { state.withLock { $0.stopped = true } }

    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Waits up to `seconds`; returns early when rung (consuming the ring) or stopped.
    func wait(seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            let done = state.withLock { state -> Bool in
                if state.stopped { return true }
                if state.pending { state.pending = false; return true }
                return false
            }
            if done { return }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }
}
