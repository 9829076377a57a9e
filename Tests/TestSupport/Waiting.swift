import Blocking

/// Where the harness's async overloads wait for child processes: threads of their own, at most
/// `width` at a time. Swift Testing runs every test on the cooperative pool (two threads on a
/// two-core machine), so waiting there stalls every other test; but Dispatch's worker threads are
/// limited too (64), and `Process.waitUntilExit` needs one of them to learn that its child ended,
/// so hundreds of tests each blocking a worker would wait for ever. Callers beyond `width` suspend.
public final class Waiting: Sendable {
    let queue: BlockingQueue
    let gate: Gate

    init(label: String, width: Int) {
        queue = BlockingQueue(concurrentLabel: label)
        gate = Gate(width: width)
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        await gate.enter()
        do {
            let result = try await queue.run(body)
            await gate.leave()
            return result
        } catch {
            await gate.leave()
            throw error
        }
    }

    /// A counting gate: `enter` suspends (never blocks) while `width` callers are inside.
    actor Gate {
        var free: Int
        var queued: [CheckedContinuation<Void, Never>] = []

        init(width: Int) { free = width }

        func enter() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { queued.append($0) }
        }

        func leave() {
            if queued.isEmpty {
                free += 1
            } else {
                queued.removeFirst().resume()
            }
        }
    }
}
