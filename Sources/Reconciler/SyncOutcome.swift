/// How one sync attempt ended. The raw values are what the status table, the history and the
/// `datapilot_syncs_total{result}` metric show.
public enum SyncOutcome: String, Sendable, Hashable, CaseIterable {
    /// Every object converged; the commit is the applied one now.
    case synced
    /// Some objects, or the server, failed: retried with backoff.
    case failed
    /// The commit's manifests are invalid, or it asks to execute runs the source may not: nothing
    /// applied, and not retried until the reference moves on.
    case invalid
    /// Git failed (resolve, fetch or read): retried with backoff.
    case error

    /// Whether the next poll comes after a backoff rather than the interval.
    public var backsOff: Bool { self == .failed || self == .error }

    /// The result the audit event carries: a git error is a failed sync there.
    public var auditResult: String { self == .error ? SyncOutcome.failed.rawValue : rawValue }
}
