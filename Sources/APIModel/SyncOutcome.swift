/// How one sync of a source ended. The reconciler's status table and history, its
/// `datapilot_syncs_total{result}` metric and the audit event all carry these words.
public enum SyncOutcome: String, WireEnum, Hashable {
    /// The commit is applied and every object is in its desired state.
    case synced
    /// The commit was valid but some objects could not be applied (they are retried).
    case failed
    /// The commit is not valid (or asks what the source may not): nothing was applied and the
    /// last good commit stays; it is not retried until the ref moves.
    case invalid
    /// The sync could not run: git or the server could not be reached.
    case error

    /// The outcomes an audit event records: a sync that could not run is a failed one there.
    public static let recordedInAudit: [SyncOutcome] = [.synced, .failed, .invalid]

    /// The word the audit event records.
    public var audited: SyncOutcome { self == .error ? .failed : self }

    /// Whether the next poll comes after a backoff rather than the interval.
    public var backsOff: Bool { self == .failed || self == .error }
}
