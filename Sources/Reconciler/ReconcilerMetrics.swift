import APIModel
import Foundation
import Prometheus

/// The families a Flux or Argo CD operator looks for, per source.
public struct ReconcilerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) { self.registry = registry }

    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "datapilot", metricName: metric, unitName: unit, helpText: help)
    }

    static var reconcileDuration: MetricNameDescriptor {
        name("reconcile_duration", "seconds", "Time of one sync of a source: resolve, snapshot, plan, apply, record.")
    }
    static var gitFetchDuration: MetricNameDescriptor { name("git_fetch_duration", "seconds", "Time of a git fetch.") }
    static var lsRemoteDuration: MetricNameDescriptor { name("git_ls_remote_duration", "seconds", "Time of an ls-remote (every poll).") }
    static var gitErrors: MetricNameDescriptor { name("git_errors", "total", "Git operations that failed, by kind.") }
    static var syncErrors: MetricNameDescriptor {
        name("sync_errors", "total", "Syncs that did not converge: failed, invalid commit, or git error.")
    }
    static var syncs: MetricNameDescriptor { name("syncs", "total", "Syncs by result.") }
    static var lastApplied: MetricNameDescriptor { name("source_last_applied", "info", "The commit applied last, as a label.") }
    static var lastAppliedTime: MetricNameDescriptor {
        name("source_last_applied_timestamp", "seconds", "When the last commit was applied (Unix time).")
    }
    static var resources: MetricNameDescriptor {
        name("reconcile", "resources", "Objects by what the last sync of the source did to them.")
    }
    static var owned: MetricNameDescriptor { name("source", "owned", "1 while this replica holds the source.") }
    static var health: MetricNameDescriptor {
        name(
            "source", "health",
            "1 for the health of the objects of the source's applied commit (Healthy, Progressing, Degraded), 0 for the others.")
    }
    static var suspended: MetricNameDescriptor { name("source", "suspended", "1 while an operator suspended the source.") }
    static var pinned: MetricNameDescriptor {
        name("source", "pinned", "1 while an operator pinned the source to an earlier commit (dpctl source rollback).")
    }
    static var drifted: MetricNameDescriptor {
        name(
            "drifted", "objects",
            "Objects whose live state differed from the last applied commit at the last drift scan (ignored ones left out).")
    }
    static var heals: MetricNameDescriptor { name("drift_heals", "total", "Drifted objects healed: the desired state applied again.") }
    static var webhooks: MetricNameDescriptor { name("webhook_requests", "total", "Webhook requests by outcome.") }
    static var driftScanDuration: MetricNameDescriptor {
        name("drift_scan_duration", "seconds", "Time of one drift scan of a source: live state, comparison, heals, events.")
    }

    func reconcileDuration(_ source: String, _ duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.reconcileDuration, labels: [("source", source)], buckets: Self.durationBuckets)
            .record(duration)
    }

    func driftScanDuration(_ source: String, _ duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.driftScanDuration, labels: [("source", source)], buckets: Self.durationBuckets)
            .record(duration)
    }

    func gitFetchDuration(_ source: String, _ duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.gitFetchDuration, labels: [("source", source)], buckets: Self.durationBuckets)
            .record(duration)
    }

    func lsRemoteDuration(_ source: String, _ duration: Duration) {
        registry.makeDurationHistogram(descriptor: Self.lsRemoteDuration, labels: [("source", source)], buckets: Self.durationBuckets)
            .record(duration)
    }

    func gitError(_ source: String, kind: String) {
        registry.makeCounter(descriptor: Self.gitErrors, labels: [("source", source), ("kind", kind)]).increment()
    }

    func syncError(_ source: String, result: String) {
        registry.makeCounter(descriptor: Self.syncErrors, labels: [("source", source), ("result", result)]).increment()
    }

    func syncs(_ source: String, result: String) {
        registry.makeCounter(descriptor: Self.syncs, labels: [("source", source), ("result", result)]).increment()
    }

    /// `datapilot_source_last_applied_info{source,commit} 1`, the old commit's series removed.
    func lastApplied(_ source: String, commit: String, previous: String?) {
        if let previous, previous != commit {
            registry.unregisterGauge(registry.makeGauge(descriptor: Self.lastApplied, labels: [("source", source), ("commit", previous)]))
        }
        registry.makeGauge(descriptor: Self.lastApplied, labels: [("source", source), ("commit", commit)]).set(Int64(1))
        registry.makeGauge(descriptor: Self.lastAppliedTime, labels: [("source", source)]).set(Date().timeIntervalSince1970)
    }

    func resources(_ source: String, counts: [String: Int]) {
        for action in ["created", "configured", "unchanged", "pruned", "refused", "failed", "skipped"] {
            registry.makeGauge(descriptor: Self.resources, labels: [("source", source), ("action", action)]).set(Int64(counts[action] ?? 0))
        }
    }

    /// The operator controls a poll of the source found (set by the replica holding it).
    func controls(_ source: String, suspended: Bool, pinned: Bool) {
        registry.makeGauge(descriptor: Self.suspended, labels: [("source", source)]).set(Int64(suspended ? 1 : 0))
        registry.makeGauge(descriptor: Self.pinned, labels: [("source", source)]).set(Int64(pinned ? 1 : 0))
    }

    func sourceOwned(_ source: String, _ owned: Bool) {
        registry.makeGauge(descriptor: Self.owned, labels: [("source", source)]).set(Int64(owned ? 1 : 0))
    }

    func health(_ source: String, _ health: HealthState) {
        for state in HealthState.allCases {
            registry.makeGauge(descriptor: Self.health, labels: [("source", source), ("health", state.rawValue)]).set(
                Int64(state == health ? 1 : 0))
        }
    }

    func drifted(_ source: String, _ count: Int) {
        registry.makeGauge(descriptor: Self.drifted, labels: [("source", source)]).set(Int64(count))
    }

    func healed(_ source: String, _ count: Int) {
        registry.makeCounter(descriptor: Self.heals, labels: [("source", source)]).increment(by: Int64(count))
    }

    func webhook(_ outcome: String) {
        registry.makeCounter(descriptor: Self.webhooks, labels: [("outcome", outcome)]).increment()
    }

    public func text() -> String { registry.emitToString() }
}
