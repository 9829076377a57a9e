import Dispatch

/// Runs blocking C calls (libpq, libcurl, libgit2) on threads of its own, never on Swift's
/// cooperative pool, and suspends the calling task until the call returns.
public struct BlockingQueue: Sendable {
    let queue: DispatchQueue

    /// A serial queue: calls run one at a time, in order (one per connection or repository).
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// A concurrent queue for independent calls.
    public init(concurrentLabel label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(E) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
