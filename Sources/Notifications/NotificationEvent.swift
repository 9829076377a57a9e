import Foundation

/// Something a source's notification targets are told: a sync started, succeeded or failed, or
/// drift was detected or healed, always about one commit of the source's repository.
///
/// Kinds are words on the wire (`X-DataPilot-Event`, the delivery log, `events:` in the sources
/// file). Health adds `sync-progressing` and `sync-degraded` (the applied objects are Degraded), `version-quarantined`
/// and `run-failed` (one object each); targets and delivery need no change for them.
public struct NotificationEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case syncStarted = "sync-started"
        case syncSucceeded = "sync-succeeded"
        case syncFailed = "sync-failed"
        case driftDetected = "drift-detected"
        case driftHealed = "drift-healed"
        /// Applied, and its objects are still Progressing (evaluations pending, runs going).
        case syncProgressing = "sync-progressing"
        case syncDegraded = "sync-degraded"
        case versionQuarantined = "version-quarantined"
        case runFailed = "run-failed"

        /// Drift is reported on its own status context (`<context>/drift`), so a drifted object
        /// does not turn the sync's status red and a heal does not hide a failed sync.
        public var isDrift: Bool { self == .driftDetected || self == .driftHealed }
    }

    /// A commit status's state, as GitHub words it (GitLab's words are mapped by its target).
    public enum State: String, Sendable, Hashable {
        case pending, success, failure, error
    }

    /// One per event; the same for every attempt of every target (`X-DataPilot-Delivery`).
    public var id: String
    public var kind: Kind
    public var state: State
    public var source: String
    /// The source's repository URL, credentials removed.
    public var repository: String
    public var commit: String
    /// The sync's outcome word (`synced`, `failed`, `invalid`, `error`) for sync events.
    public var outcome: String?
    /// One line a person reads: what happened and, when it failed, the first reason.
    public var summary: String
    /// The whole error (up to a few lines), for failed syncs.
    public var detail: String?
    /// The drifted object (`kind/name`), for drift events.
    public var object: String?
    public var counts: [String: Int]
    public var time: Date

    public init(
        kind: Kind, state: State, source: String, repository: String, commit: String, outcome: String? = nil, summary: String,
        detail: String? = nil, object: String? = nil, counts: [String: Int] = [:], time: Date = Date(), id: String = UUID().uuidString
    ) {
        self.id = id.lowercased()
        self.kind = kind
        self.state = state
        self.source = source
        self.repository = repository
        self.commit = commit
        self.outcome = outcome
        self.summary = summary
        self.detail = detail
        self.object = object
        self.counts = counts
        self.time = time
    }

    /// At most `limit` characters: the first line, cut with an ellipsis.
    public static func clip(_ text: String, _ limit: Int) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }
}
