import Foundation

/// A few idle libcurl handles kept between requests so connections (and TLS sessions) are
/// reused. A `Transfer` is used by one thread at a time: it is checked out for one blocking
/// call and handed back after, never shared.
public final class TransferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Transfer] = []
    private let capacity: Int

    public init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// Runs `body` with a handle of its own. Call it on a blocking thread, not the cooperative pool.
    public func with<T>(_ body: (Transfer) throws -> T) rethrows -> T {
        let transfer = lock.withLock { idle.popLast() } ?? Transfer()
        defer {
            lock.withLock {
                if idle.count < capacity { idle.append(transfer) }
            }
        }
        return try body(transfer)
    }
}
