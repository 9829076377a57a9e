import Synchronization

/// Why a remote operation was stopped by DataPilot rather than by the transport.
public enum RemoteAbort: Sendable, Hashable {
    case timedOut(seconds: Double)
    case credentialRejected(String)
    case hostKeyRejected(String)
}

/// The state one network operation shares with its libgit2 callbacks and its watchdog: the first
/// abort reason wins, and every later callback aborts too.
public final class RemoteSession: Sendable {
    private let state = Mutex<(abort: RemoteAbort?, credentialAttempts: Int)>((nil, 0))

    public init() {}

    /// The reason recorded first, if any.
    public var abortReason: RemoteAbort? { state.withLock { $0.abort } }

    /// Records `reason` unless another was recorded first; later callbacks then abort.
    public func abort(_ reason: RemoteAbort) {
        state.withLock { if $0.abort == nil { $0.abort = reason } }
    }

    func nextCredentialAttempt() -> Int {
        state.withLock {
            $0.credentialAttempts += 1
            return $0.credentialAttempts
        }
    }
}
