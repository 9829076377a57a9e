import APIModel
import Foundation
import Notifications
import Redaction

/// The health of the applied commit's objects, as last seen: what `followHealth` compares with.
struct HealthFollow: Sendable {
    var commit: String
    var report: HealthReport
    /// The degraded objects already reported one by one (version-quarantined, run-failed).
    var reported: Set<String> = []
}

extension SourceWorker {
    /// The health of the source's objects once `commit` is applied: Healthy, Progressing
    /// (evaluations pending, runs it started still going) or Degraded (a version quarantined, a
    /// run failed). With `wait: true` it asks every second until the objects are no longer
    /// Progressing or `wait-timeout` has passed, as Flux's `wait` does. Nil when the server
    /// cannot say; it never fails the sync.
    func assessHealth(commit: String) async -> HealthReport? {
        let deadline = ContinuousClock.now + .seconds(configuration.waitTimeout)
        while true {
            let report: HealthReport?
            do {
                report = try await client.health(applySet: configuration.name)
            } catch {
                logger.warning("cannot read the health of the applied objects", metadata: ["error": .string("\(error)")])
                return nil
            }
            guard let report else { return nil }
            let settled = !configuration.waitForHealth || report.health != .progressing
            if settled || ContinuousClock.now >= deadline || Task.isCancelled {
                healthSeen(report, commit: commit)
                return report
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// On a poll with nothing to sync: while the applied commit's objects are not Healthy, asks
    /// again; a change is recorded in the status, the metrics and the log, and reported to the
    /// notification targets (success once Healthy, failure once Degraded).
    func followHealth() async {
        guard let current = lastHealth, current.report.health != .healthy else { return }
        let report: HealthReport?
        do { report = try await client.health(applySet: configuration.name) } catch { return }
        guard let report, report != current.report else { return }
        healthSeen(report, commit: current.commit)
        do {
            try await store.recordHealth(configuration.name, commit: current.commit, report: report)
        } catch {
            logger.error("cannot record the source's health: \(error)")
        }
        logger.info("health \(report.health.rawValue)", metadata: ["commit": .string(current.commit), "health": .string(report.summary)])
        if report.health != current.report.health { notifyHealth(report, commit: current.commit) }
    }

    /// Remembers the health seen for `commit` (the metric follows), and reports newly degraded
    /// objects one by one.
    func healthSeen(_ report: HealthReport, commit: String) {
        var follow = lastHealth?.commit == commit ? lastHealth! : HealthFollow(commit: commit, report: report)
        follow.report = report
        metrics.health(configuration.name, report.health)
        for object in report.objects where object.health == .degraded && !follow.reported.contains(object.object) {
            follow.reported.insert(object.object)
            notifyDegradedObject(object, commit: commit)
        }
        lastHealth = follow
    }

    /// A version quarantined or a run failed, on its own (webhooks and Slack read them; a
    /// commit status shows the source's overall health).
    func notifyDegradedObject(_ object: ObjectHealth, commit: String) {
        guard let notifications else { return }
        let kind: NotificationEvent.Kind = object.object.hasPrefix("run/") ? .runFailed : .versionQuarantined
        guard object.object.hasPrefix("run/") || object.object.hasPrefix("datasetversion/") else { return }
        notifications.notify(
            NotificationEvent(
                kind: kind, state: .failure, source: configuration.name, repository: Redact.credentials(configuration.spec.url),
                commit: commit, outcome: HealthState.degraded.rawValue,
                summary: NotificationEvent.clip("\(object.object) \(object.reason)", 400), object: object.object))
    }

    /// The source's objects became Healthy (`success`) or Degraded (`failure`) after their sync.
    func notifyHealth(_ report: HealthReport, commit: String) {
        guard let notifications, report.health != .progressing else { return }
        let healthy = report.health == .healthy
        notifications.notify(
            NotificationEvent(
                kind: healthy ? .syncSucceeded : .syncDegraded, state: healthy ? .success : .failure, source: configuration.name,
                repository: Redact.credentials(configuration.spec.url), commit: commit, outcome: report.health.rawValue,
                summary: NotificationEvent.clip(healthy ? "synced and healthy" : report.summary, 400)))
    }
}
