import APIModel
import Foundation
import Manifests

/// What happened to one sync attempt: the row of the status table and the history.
public struct SyncRecord: Sendable {
    public var source: String
    public var commit: String?
    public var outcome: SyncOutcome
    public var counts: [String: Int]
    public var error: String?
    public var started: Date
    public var duration: Double
    /// The health of the commit's objects when the sync was recorded (synced commits only).
    public var health: HealthReport? = nil

    public init(
        source: String, commit: String?, outcome: SyncOutcome, counts: [String: Int] = [:], error: String? = nil,
        started: Date, duration: Double, health: HealthReport? = nil
    ) {
        self.health = health
        self.source = source
        self.commit = commit
        self.outcome = outcome
        self.counts = counts
        self.error = error
        self.started = started
        self.duration = duration
    }

    public var countsJSON: JSONValue {
        .object(counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .int(Int64($0.value))) })
    }
}
