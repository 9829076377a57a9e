import Foundation

/// Chunks handed from a blocking thread (a transfer's body callback) to an async reader, with
/// backpressure: `put` blocks its thread while `limit` bytes wait unread, so a slow reader slows
/// the transfer instead of filling memory. The reader cancels to stop the writer.
final class ChunkChannel: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    private var buffered = 0
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private var waiter: CheckedContinuation<[UInt8]?, any Error>?
    let limit: Int

    init(limit: Int = 1 << 20) { self.limit = limit }

    /// On the writer's thread: false once the reader cancelled (the transfer should end).
    func put(_ bytes: [UInt8]) -> Bool {
        condition.lock()
        while buffered >= limit, !cancelled { condition.wait() }
        if cancelled {
            condition.unlock()
            return false
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: bytes)
            return true
        }
        queue.append(bytes)
        buffered += bytes.count
        condition.unlock()
        return true
    }

    /// The writer is done, with `error` if it failed.
    func finish(_ error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        let waiter = self.waiter
        self.waiter = nil
        condition.unlock()
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// The reader stops: a waiting `put` returns false.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, nil at the end; throws the writer's error.
    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if !queue.isEmpty {
                let chunk = queue.removeFirst()
                buffered -= chunk.count
                condition.signal()
                condition.unlock()
                continuation.resume(returning: chunk)
            } else if finished {
                let failure = self.failure
                condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                waiter = continuation
                condition.unlock()
            }
        }
    }
}
