import APIModel
import Foundation
import Logging
import Manifests

/// When a poll started, on the wall clock (for the history) and the monotonic one (its duration).
struct Attempt: Sendable {
    let started = Date()
    let clock = ContinuousClock.now
}

extension SourceWorker {
    /// Records a sync: the status row and history, the audit event (when a commit was
    /// attempted), the metrics and a log line.
    func record(_ result: SyncResult, commit: String?, _ attempt: Attempt) async -> SyncRecord {
        let elapsed = ContinuousClock.now - attempt.clock
        let record = SyncRecord(
            source: configuration.name, commit: commit, outcome: result.outcome, counts: result.counts, error: result.error,
            started: attempt.started,
            duration: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, health: result.health)
        metrics.reconcileDuration(configuration.name, elapsed)
        metrics.syncs(configuration.name, result: record.outcome.rawValue)
        if record.outcome != .synced { metrics.syncError(configuration.name, result: record.outcome.rawValue) }
        do { try await store.record(record) } catch { logger.error("cannot record the sync's status: \(error)") }
        if let commit = record.commit { await recordAudit(record, commit: commit, snapshot: result.snapshot) }
        notifyFinished(record)
        var metadata: Logger.Metadata = [
            "commit": .string(record.commit ?? "-"), "counts": .string(record.countsJSON.jsonString()),
            "seconds": .string(String(format: "%.3f", record.duration)),
        ]
        if let error = record.error { metadata["error"] = .string(error) }
        if let health = record.health { metadata["health"] = .string(health.summary) }
        logger.info("sync \(record.outcome.rawValue)", metadata: metadata)
        return record
    }

    /// The sync's audit event on the server: commit, author, message, result and counts.
    func recordAudit(_ record: SyncRecord, commit: String, snapshot: CommitSnapshot?) async {
        let event = SyncEvent(
            source: configuration.name, commit: commit, result: record.outcome, repository: configuration.spec.url,
            author: snapshot?.author, message: snapshot?.message, error: record.error, counts: record.counts,
            signer: snapshot?.signer, health: record.health?.health, healthMessage: record.health.map(\.summary))
        do {
            try await client.postEvent(SyncEvent.route, event)
        } catch {
            logger.warning("cannot record the sync in the audit log: \(error)")
        }
    }
}
