import APIModel
import Notifications
import Redaction
import SyncEngine

extension SourceWorker {
    /// Tells the source's targets that `commit` is being applied (GitHub: `pending`).
    func notifyStarted(_ commit: String) {
        guard let notifications else { return }
        notifications.notify(event(.syncStarted, .pending, commit: commit, summary: "applying \(commit.prefix(12))"))
    }

    /// Tells them how the sync of a commit ended: `success`, or `failure` naming the first
    /// reason (an invalid manifest's `file:line:column`), or `error` for git errors.
    func notifyFinished(_ record: SyncRecord) {
        guard let notifications, let commit = record.commit else { return }
        let counts = record.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let succeeded = record.outcome == .synced
        // A synced commit whose objects are still Progressing stays `pending` until they settle
        // (followHealth reports that); Degraded is a `failure` naming what is.
        if succeeded, let health = record.health, health.health != .healthy {
            let degraded = health.health == .degraded
            notifications.notify(
                event(
                    degraded ? .syncDegraded : .syncProgressing, degraded ? .failure : .pending, commit: commit,
                    summary: NotificationEvent.clip(health.summary, 400),
                    outcome: health.health.rawValue, counts: record.counts))
            return
        }
        let summary =
            succeeded
            ? "synced" + (counts.isEmpty ? "" : ": " + counts)
            : "\(record.outcome.rawValue): " + (record.error.map { NotificationEvent.clip(Redact.credentials($0), 400) } ?? "")
        notifications.notify(
            event(
                succeeded ? .syncSucceeded : .syncFailed, succeeded ? .success : record.outcome == .error ? .error : .failure,
                commit: commit, summary: summary, outcome: record.outcome.rawValue, detail: record.error.map(Redact.credentials),
                counts: record.counts))
    }

    /// Drift found on an object (`failure` on `<context>/drift`), or healed (`success`).
    func notifyDrift(_ item: DriftItem, event kind: DriftEvent.Event, commit: String) {
        guard let notifications else { return }
        let detected = kind == .detected
        notifications.notify(
            event(
                detected ? .driftDetected : .driftHealed, detected ? .failure : .success, commit: commit,
                summary: "\(detected ? "drift detected" : "drift healed"): \(item.ref)", object: "\(item.ref)"))
    }

    private func event(
        _ kind: NotificationEvent.Kind, _ state: NotificationEvent.State, commit: String, summary: String, outcome: String? = nil,
        detail: String? = nil, object: String? = nil, counts: [String: Int] = [:]
    ) -> NotificationEvent {
        NotificationEvent(
            kind: kind, state: state, source: configuration.name, repository: Redact.credentials(configuration.spec.url), commit: commit,
            outcome: outcome, summary: summary, detail: detail, object: object, counts: counts)
    }
}
