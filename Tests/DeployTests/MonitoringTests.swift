import Foundation
import TestSupport
import Testing

/// The alert rules use only metric families the executables export, and docs/operations.md
/// lists each of them.
@Suite struct MonitoringTests {
    /// The reconciler's families, read from ReconcilerMetrics.swift: `name("syncs", "total", ...)`
    /// is `datapilot_syncs_total`.
    static func reconcilerFamilies() throws -> Set<String> {
        let source = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Sources/Reconciler/ReconcilerMetrics.swift"), encoding: .utf8)
        return Set(source.matches(of: /name\("([a-z_]+)", "([a-z]+)"/).map { "datapilot_\($0.1)_\($0.2)" })
    }

    /// The server's, as `ServerMetrics` names Hummingbird's (MetricsConventionTests checks a live
    /// /metrics with promtool). The audit sealer's are its own (Sources/Audit/AuditSealer.swift).
    static let serverFamilies: Set = [
        "http_server_requests_total", "http_server_request_errors_total", "http_server_request_duration_seconds",
        "http_server_active_requests",
        "datapilot_audit_seal_lag_seconds", "datapilot_audit_unsealed_events", "datapilot_audit_sealed_events_total",
    ]

    @Test func alertRulesUseExportedFamiliesOnly() throws {
        let families = try Self.reconcilerFamilies().union(Self.serverFamilies)
        #expect(families.contains("datapilot_syncs_total") && families.contains("datapilot_source_owned"))
        let rules = try String(
            contentsOf: repositoryRoot.appendingPathComponent("deploy/monitoring/prometheus-rules.yaml"), encoding: .utf8)
        let expressions = rules.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined(
            separator: "\n")
        let used = Set(
            expressions.matches(of: /\b(datapilot_[a-z_]+|hb_[a-z_]+|http_server_[a-z_]+)\b/).map { String($0.1) }
                .map { name in ["_bucket", "_sum", "_count"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 } })
        #expect(!used.isEmpty)
        for name in used { #expect(families.contains(name), "\(name) is not a family DataPilot exports") }
        let operations = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        for family in families { #expect(operations.contains("`\(family)`"), "docs/operations.md lists \(family)") }
    }
}
