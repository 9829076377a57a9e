import Dispatch
import Synchronization

extension BlockingQueue {
    /// Runs `body` like `run`, but resumes the caller with `timeoutError()` once `deadline` has
    /// passed even when `body` is still blocked (a C call stuck on a socket that never answers).
    /// The abandoned call keeps its thread until it returns on its own; its result is dropped.
    /// `onTimeout` runs first, so the caller can tell the call to stop at its next chance.
    public func run<T: Sendable, E: Error>(
        deadline: DispatchTime, onTimeout: @escaping @Sendable () -> Void, timeoutError: @escaping @Sendable () -> E,
        _ body: @escaping @Sendable () throws(E) -> T
    ) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            let once = Once()
            let resume: @Sendable (Result<T, E>) -> Void = { result in
                if once.claim() { continuation.resume(returning: result) }
            }
            // A timer source with a small leeway: asyncAfter's default leeway let the answer come
            // up to a second late.
            let timer = Timer(DispatchSource.makeTimerSource(queue: .global()))
            timer.source.schedule(deadline: deadline, leeway: .milliseconds(10))
            timer.source.setEventHandler {
                timer.source.cancel()
                onTimeout()
                resume(.failure(timeoutError()))
            }
            timer.source.resume()
            target.async {
                defer { timer.source.cancel() }
                do throws(E) {
                    resume(.success(try body()))
                } catch {
                    resume(.failure(error))
                }
            }
        }
        return try result.get()
    }
}

/// True for the first caller of `claim` only.
final class Once: Sendable {
    private let claimed = Atomic<Bool>(false)

    func claim() -> Bool {
        !claimed.exchange(true, ordering: .acquiringAndReleasing)
    }
}

/// A timer shared by the watchdog and the call it guards (dispatch sources are thread-safe).
final class Timer: @unchecked Sendable {
    let source: any DispatchSourceTimer

    init(_ source: any DispatchSourceTimer) { self.source = source }
}
