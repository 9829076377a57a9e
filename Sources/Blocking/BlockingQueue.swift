import Dispatch

/// Runs blocking C calls (libpq, libcurl, libgit2) on threads of its own, never on Swift's
/// cooperative pool, and suspends the calling task until the call returns.
///
/// Concurrent calls each get a serial queue of their own, so each gets a thread at once. A
/// Dispatch concurrent queue would not do: on Linux it lends blocked work only about one thread
/// per core (the kernel tells libdispatch nothing about blocked threads), so a few long calls (a
/// download proxied for minutes, a slow git fetch) would hold up every other call of every
/// concurrent queue in the process. The callers bound how many calls they make at once
/// (connections, transfer pools, workers).
public struct BlockingQueue: Sendable {
    let queue: DispatchQueue?
    let label: String

    /// A serial queue: calls run one at a time, in order (one per connection or repository).
    public init(label: String) {
        queue = DispatchQueue(label: label)
        self.label = label
    }

    /// Independent calls, each on a thread of its own as soon as it is made.
    public init(concurrentLabel label: String) {
        queue = nil
        self.label = label
    }

    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let target = self.target
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            target.async {
                do throws(E) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Where the next call runs: the serial queue, or a queue of its own.
    var target: DispatchQueue { queue ?? DispatchQueue(label: label) }
}
