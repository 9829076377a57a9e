import APIModel
import Foundation
import Logging
import Notifications
import SyncEngine

/// One source's loop while this replica holds it, in named steps: resolve (ls-remote first) →
/// decide → snapshot → sync or drift scan → record (status, history, audit event, metrics).
/// An invalid commit is never applied: the last good commit stays applied and the error
/// (file:line) is reported. Git, the server and the status store are behind protocols.
actor SourceWorker {
    let configuration: SourceConfiguration
    let source: any ManifestSource
    let client: any SyncClient
    let store: any SyncStatusStore
    let metrics: ReconcilerMetrics
    let logger: Logger
    /// Where sync and drift events go (off the sync path); nil: nowhere.
    let notifications: (any NotificationSink)?
    /// What operators set (suspended, pinned); nil: nothing (tests in memory).
    let controls: SourceControls?
    nonisolated let doorbell = Doorbell()

    var lastApplied: String?
    /// An invalid commit is reported once; polls skip it until the ref moves on.
    var lastInvalid: String?
    var lastFullSync: ContinuousClock.Instant?
    /// Syncs that failed in a row (the backoff).
    var failures = 0
    /// The drift last reported per object (its signature), so that a drift is recorded once.
    var reportedDrift: [ObjectRef: String] = [:]
    /// The provenance the last applied commit was synced with (each file's own commit), for heals.
    var appliedSource: SourceInfo?
    /// The objects of the commit applied last, for incremental syncs (nil: the next sync is full).
    var applied: AppliedObjects?
    /// The apply set's members as last read or written, for conditional reads.
    let inventoryCache = InventoryCache()
    /// The health of the last synced commit's objects, followed on polls while not Healthy.
    var lastHealth: HealthFollow?

    init(
        configuration: SourceConfiguration, source: any ManifestSource, client: any SyncClient, store: any SyncStatusStore,
        metrics: ReconcilerMetrics, logger: Logger, notifications: (any NotificationSink)? = nil, controls: SourceControls? = nil
    ) {
        self.notifications = notifications
        self.controls = controls
        self.configuration = configuration
        self.source = source
        self.client = client
        self.store = store
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "source"] = .string(configuration.name)
        self.logger = logger
    }

    /// One poll; nil when the remote's commit is the one applied and no resync is due, or when a
    /// drift scan ran instead of a sync.
    func syncOnce(force: Bool = false) async -> SyncRecord? {
        let attempt = Attempt()
        var commit: String?  // the commit a sync is attempted for
        let result: SyncResult
        do {
            let resolution = try await resolve()
            // Suspended: nothing; pinned (a rollback): the pinned commit instead of the head.
            guard let target = await target(for: resolution.commit) else { return nil }
            let decision = decide(target, force: force)
            if decision == .skip {
                await followHealth()
                return nil
            }
            if decision == .sync { commit = target }
            if decision == .sync { notifyStarted(target) }
            let snapshot = try await source.snapshot(commit: target)
            if decision == .scan, snapshot.manifests.isValid, await signatureTrusted(snapshot) {
                await scanDrift(snapshot)
                lastFullSync = ContinuousClock.now
                return nil
            }
            commit = target  // a scan of a commit that no longer validates becomes a sync that reports it
            result = await sync(snapshot, full: force || resyncDue())
            if result.outcome == .synced { await remember(result.snapshot) }
        } catch {
            result = failure(error)
        }
        return await record(result, commit: commit, attempt)
    }
}
