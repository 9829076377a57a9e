import Prometheus

/// The server's metric families as Prometheus's conventions name and describe them. The
/// services and Hummingbird's `MetricsMiddleware` count through swift-metrics, which carries no
/// help text and leaves units and `_total` to the caller; this table gives each family its
/// `# HELP`, and renames Hummingbird's (`hb_requests` was a counter without `_total`). The
/// table is checked against a live `/metrics` with `promtool check metrics`
/// (MetricsConventionTests), so a family added without a line here fails there.
public enum ServerMetrics {
    /// Hummingbird's names → ours (docs/operations.md, "Monitoring", lists the old ones).
    static let renamed = [
        "hb_requests": "http_server_requests_total",
        "hb_request_errors": "http_server_request_errors_total",
        "http_server_request_duration": "http_server_request_duration_seconds",
    ]

    static let help = [
        "http_server_requests_total": "HTTP requests answered, by route, method and status.",
        "http_server_request_errors_total": "HTTP requests that ended in an error, by route, method and error type (the status).",
        "http_server_request_duration_seconds": "Time to answer an HTTP request, by route, method and status.",
        "http_server_active_requests": "HTTP requests in progress, by method.",
        "datapilot_http_connections_refused_total": "Connections beyond max-client-connections, answered 503.",
        "datapilot_http_connections_closed_total": "Connections the server closed on a timeout or a cap, by reason.",
        "datapilot_audit_seal_lag_seconds": "Age of the oldest committed audit event not yet sealed into the chain (0 when none).",
        "datapilot_audit_unsealed_events": "Committed audit events not yet sealed into the chain.",
        "datapilot_audit_sealed_events_total": "Audit events this process sealed into the chain.",
    ]

    /// The factory the server bootstraps swift-metrics with: Hummingbird's families renamed.
    public static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Hummingbird's labels are dotted (`hb.requests`, `http.request.method`): underscores
        // first, as swift-prometheus's own sanitizer does, then our names.
        factory.nameAndLabelSanitizer = { name, labels in
            let name = underscored(name)
            return (renamed[name] ?? name, labels.map { (underscored($0.0), $0.1) })
        }
        return factory
    }

    static func underscored(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
    }

    /// The registry's text with a `# HELP` line before each family's `# TYPE` line.
    static func exposition(_ registry: PrometheusCollectorRegistry) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 << 10)
        registry.emit(into: &buffer)
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count + 2048)
        let type = Array("# TYPE ".utf8)
        for line in buffer.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: type) {
                let name = line.dropFirst(type.count).prefix { $0 != UInt8(ascii: " ") }
                if let text = help[String(decoding: name, as: UTF8.self)] {
                    out += Array("# HELP ".utf8) + name + Array(" \(text)\n".utf8)
                }
            }
            out += line
            out.append(UInt8(ascii: "\n"))
        }
        if out.last == UInt8(ascii: "\n"), buffer.last == UInt8(ascii: "\n") { out.removeLast() }
        return out
    }
}
