import Synchronization

/// A loop's doorbell: a webhook or a poll request rings it, and the wait between polls ends
/// early. The rings are an AsyncStream that keeps only the newest, so rings while a sync runs
/// coalesce into one more sync (the debounce). `stop` ends every wait for good.
final class Doorbell: Sendable {
    /// Why a wait ended.
    enum Wake: Sendable, Equatable { case rung, timeout, stopped }

    enum Signal: Sendable {
        case ring
        /// The timer of the wait with this number (a later wait ignores an earlier one's).
        case timer(Int)
    }

    private let signals: AsyncStream<Signal>
    fileprivate let continuation: AsyncStream<Signal>.Continuation
    private let stopped = Atomic(false)

    init() {
        (signals, continuation) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingNewest(1))
    }

    func ring() { continuation.yield(.ring) }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        continuation.finish()
    }

    var isStopped: Bool { stopped.load(ordering: .sequentiallyConsistent) }

    /// The one consumer of the rings (the loop that waits); make it once.
    func listener() -> Listener { Listener(doorbell: self, rings: signals.makeAsyncIterator()) }

    struct Listener {
        let doorbell: Doorbell
        var rings: AsyncStream<Signal>.Iterator
        var waits = 0

        /// Waits up to `duration`: returns early when rung (consuming every ring so far) or stopped.
        /// The timer is a child task that rings with its own number; no polling. A cancelled task
        /// ends the stream (AsyncStream does), which stops the doorbell.
        mutating func wait(for duration: Duration, isolation: isolated (any Actor)? = #isolation) async -> Wake {
            waits += 1
            let number = waits
            let continuation = doorbell.continuation
            return await withTaskGroup(of: Void.self, isolation: isolation) { group in
                group.addTask {
                    guard (try? await Task.sleep(for: duration)) != nil else { return }
                    continuation.yield(.timer(number))
                }
                defer { group.cancelAll() }
                while true {
                    switch await rings.next(isolation: isolation) {
                    case nil:
                        doorbell.stop()
                        return .stopped
                    case .ring: return .rung
                    case .timer(let timer) where timer == number: return .timeout
                    case .timer: continue
                    }
                }
            }
        }
    }
}
