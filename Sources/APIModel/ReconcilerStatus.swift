import Manifests

/// `GET /status` on the reconciler's port: every source with its last sync and its recent
/// history. The reconciler encodes it and `dpctl status` and `dpctl drift --source` decode it.
/// URLs and errors in it are already redacted (the route needs no credentials).
public struct ReconcilerStatus: WireBody, Hashable {
    public var sources: [SourceStatus]

    public static let route = "/status"

    public init(sources: [SourceStatus]) { self.sources = sources }

    /// The source named `name`, if the reconciler knows it.
    public func source(_ name: String) -> SourceStatus? { sources.first { $0.name == name } }

    public func validate() throws(BodyError) {
        for (index, source) in sources.enumerated() {
            do { try source.validate() } catch { throw BodyError("sources[\(index)].\(error.field)", error.expectation) }
        }
    }
}

/// One source in `GET /status`: where it reads from, which replica holds it, and what its last
/// sync attempted and applied.
public struct SourceStatus: Codable, Sendable, Hashable {
    public var name: String
    public var url: String?
    public var ref: String?
    public var path: String?
    /// The replica that holds the source's lease, nil while nobody does.
    public var owner: String?
    public var lastAttemptedCommit: String?
    /// The commit the server's objects match, kept across restarts and takeovers.
    public var lastAppliedCommit: String?
    /// The last sync's outcome; nil before the first.
    public var result: SyncOutcome?
    public var error: String?
    /// Objects by what the last sync did to them.
    public var counts: [String: Int]
    public var durationMs: Int?
    public var attemptedAt: String?
    public var appliedAt: String?
    /// The newest syncs first.
    public var history: [SyncHistoryEntry]
    /// How the objects of the last applied commit are doing (issue 18): Healthy, Progressing
    /// (evaluations pending, runs going) or Degraded (a version quarantined, a run failed);
    /// nil before the first synced commit. Followed on every poll while it is Progressing.
    public var health: HealthState? = nil
    /// What is not Healthy, in one line ("Degraded: datasetversion/churn-2026-10 is Quarantined: ...").
    public var healthMessage: String? = nil

    public init(
        name: String, url: String? = nil, ref: String? = nil, path: String? = nil, owner: String? = nil,
        lastAttemptedCommit: String? = nil, lastAppliedCommit: String? = nil, result: SyncOutcome? = nil, error: String? = nil,
        counts: [String: Int] = [:], durationMs: Int? = nil, attemptedAt: String? = nil, appliedAt: String? = nil,
        history: [SyncHistoryEntry] = []
    ) {
        self.name = name
        self.url = url
        self.ref = ref
        self.path = path
        self.owner = owner
        self.lastAttemptedCommit = lastAttemptedCommit
        self.lastAppliedCommit = lastAppliedCommit
        self.result = result
        self.error = error
        self.counts = counts
        self.durationMs = durationMs
        self.attemptedAt = attemptedAt
        self.appliedAt = appliedAt
        self.history = history
    }

    func validate() throws(BodyError) {
        guard StringFormat.dnsSubdomain.accepts(name) else {
            throw BodyError("name", "the source's name, \(StringFormat.dnsSubdomain.expectation)")
        }
        for (field, commit) in [("lastAttemptedCommit", lastAttemptedCommit), ("lastAppliedCommit", lastAppliedCommit)] {
            if let commit, !SourceStatus.isCommit(commit) { throw BodyError(field, "a full 40-character commit id") }
        }
        if counts.values.contains(where: { $0 < 0 }) { throw BodyError("counts", "an object of non-negative integers") }
        for (index, entry) in history.enumerated() {
            if let commit = entry.commit, !SourceStatus.isCommit(commit) {
                throw BodyError("history[\(index)].commit", "a full 40-character commit id")
            }
        }
    }

    static func isCommit(_ text: String) -> Bool { text.count == 40 && text.allSatisfy(\.isHexDigit) }
}

/// One past sync of a source in `GET /status`.
public struct SyncHistoryEntry: Codable, Sendable, Hashable {
    /// Nil when the sync failed before it reached a commit (the remote was unreachable).
    public var commit: String?
    public var result: SyncOutcome
    public var counts: [String: Int]
    public var error: String?
    public var durationMs: Int?
    public var startedAt: String?
    /// The health its commit's objects had when the sync was recorded (later changes are on the source).
    public var health: HealthState? = nil

    public init(
        commit: String?, result: SyncOutcome, counts: [String: Int] = [:], error: String? = nil, durationMs: Int? = nil,
        startedAt: String? = nil
    ) {
        self.commit = commit
        self.result = result
        self.counts = counts
        self.error = error
        self.durationMs = durationMs
        self.startedAt = startedAt
    }
}
