/// The lifecycle the server owns: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED | LOST.
/// A queued run may be cancelled before it starts; a finished run never changes again.
public enum RunState: String, Sendable, CaseIterable, Codable {
    case queued = "QUEUED"
    case running = "RUNNING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
    /// Set by the reaper when a running run's heartbeat stops.
    case lost = "LOST"

    public var isFinal: Bool { ![.queued, .running].contains(self) }

    /// Whether a client (or an executor) may move a run from `self` to `next`. LOST is the
    /// reaper's alone.
    public func allows(_ next: RunState) -> Bool {
        switch (self, next) {
        case (.queued, .running), (.queued, .cancelled), (.queued, .failed): return true
        case (.running, .succeeded), (.running, .failed), (.running, .cancelled): return true
        default: return false
        }
    }

    /// The states a client may ask for, as the problem names them.
    public static let requestable: [RunState] = [.running, .succeeded, .failed, .cancelled]
}
