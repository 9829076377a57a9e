import APIModel
import Hummingbird
import Manifests

/// `/ui/runs` (paged, with each run's state) and a run: params, tags, pinned inputs (linked to
/// their versions), the latest value of each metric, events and artifacts.
extension UIRoutes {
    func runs(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let list = ListQuery(request)
        let page = try await gateway.get("/api/runs", query: list.api, token: session.token)
        let items = page["items"]?.arrayValue ?? []
        // The list has no status: each run's state, times and latest metrics come from its own
        // routes, read side by side.
        let details = try await withThrowingTaskGroup(of: (Int, JSONValue, JSONValue).self) { group in
            for (index, run) in items.enumerated() {
                let base = "/api/experiment-runs/" + APIPath.segment(run["metadata"]?["name"]?.stringValue ?? "")
                group.addTask {
                    async let live = gateway.get(base, token: session.token)
                    async let metrics = gateway.get(base + "/metrics", token: session.token)
                    return (index, try await live["status"] ?? .null, try await metrics)
                }
            }
            var details = [(status: JSONValue, metrics: JSONValue)](repeating: (.null, .null), count: items.count)
            for try await (index, status, metrics) in group { details[index] = (status, metrics) }
            return details
        }
        let rows: [[HTML]] = items.enumerated().map { index, run in
            let name = run["metadata"]?["name"]?.stringValue ?? ""
            let status = details[index].status
            return [
                Layout.link(Layout.path("runs", name), name), Self.experimentLink(run["spec"]?["experiment"]?.stringValue),
                Layout.status(status["state"]?.stringValue), "\(Self.params(run["spec"]?["params"]))",
                "\(Self.keyMetrics(details[index].metrics))", "\(RunDuration.text(status))",
                "\(Layout.text(run["metadata"]?["createdAt"]))",
            ]
        }
        let body = Self.labelledList(
            list, base: "/ui/runs", what: "runs", placeholder: "model=gbm", caption: "Runs",
            headers: ["Run", "Experiment", "State", "Params", "Metrics", "Duration", "Created"], rows: rows,
            next: page["next_page_token"]?.stringValue)
        return UIResponse.html(Layout.page(title: "Runs", section: .runs, session: session, body: body))
    }

    func run(_ session: UISessions.Session, name: String) async throws -> Response {
        let base = "/api/experiment-runs/" + APIPath.segment(name)
        // Every read at once; the charts and the log follow from the lists.
        async let runAnswer = gateway.get(base, token: session.token)
        async let metricsAnswer = gateway.get(base + "/metrics", token: session.token)
        async let eventsAnswer = gateway.get(base + "/events", query: [("page_size", "100")], token: session.token)
        async let artifactsAnswer = gateway.get(base + "/artifacts", token: session.token)
        async let evidenceAnswer = evidencePanel(session, run: base)
        let (run, metrics, events, artifacts) = try await (runAnswer, metricsAnswer, eventsAnswer, artifactsAnswer)
        async let chartsAnswer = metricCharts(session, run: base, metrics: metrics["items"]?.arrayValue ?? [])
        async let logAnswer = runLog(session, run: name, artifacts: artifacts["items"]?.arrayValue ?? [])
        let (charts, evidence, log) = try await (chartsAnswer, evidenceAnswer, logAnswer)
        let spec = run["spec"], status = run["status"], metadata = run["metadata"]
        let params: [[HTML]] = (spec?["params"]?.objectValue ?? []).map { ["<code>\($0.key)</code>", "\(Layout.text($0.value))"] }
        let inputs: [[HTML]] = (status?["inputs"]?.arrayValue ?? []).map { input in
            let dataset = input["dataset"]?.stringValue ?? "", version = input["datasetVersion"]?.stringValue ?? ""
            return [
                Layout.link(Layout.path("datasets", dataset), dataset),
                Layout.link(Layout.path("datasets", dataset, "versions", version), version),
                Layout.digest(input["digest"]?.stringValue),
            ]
        }
        let metricRows: [[HTML]] = (metrics["items"]?.arrayValue ?? []).map { metric in
            [
                "<code>\(Layout.text(metric["key"]))</code>", "\(Layout.text(metric["value"]))", "\(Layout.text(metric["step"]))",
                "\(Layout.text(metric["points"]))",
            ]
        }
        let eventRows: [[HTML]] = (events["items"]?.arrayValue ?? []).map { event in
            ["\(Layout.text(event["timestamp"]))", Layout.status(event["level"]?.stringValue), "\(Layout.text(event["message"]))"]
        }
        let artifactRows: [[HTML]] = (artifacts["items"]?.arrayValue ?? []).map { artifact in
            [
                Layout.link(Layout.path("runs", name, "artifacts", Layout.text(artifact["name"])), Layout.text(artifact["name"])),
                "\(Layout.bytes(artifact["size"]?.numberValue))",
                Layout.digest(artifact["sha256"]?.stringValue), "\(Layout.text(artifact["createdAt"]))",
            ]
        }
        let command = (spec?["command"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")
        let body: HTML = """
            <dl class="facts">
            <dt>State</dt><dd id="run-state">\(Layout.status(status?["state"]?.stringValue))</dd>
            <dt>Experiment</dt><dd>\(Self.experimentLink(spec?["experiment"]?.stringValue))</dd>
            <dt>Description</dt><dd>\(Layout.text(spec?["description"]))</dd>
            <dt>Code</dt><dd>\(Layout.text(spec?["code"]?["repository"])) at <code>\(Layout.text(spec?["code"]?["commit"]))</code></dd>
            <dt>Image</dt><dd>\(Layout.text(spec?["image"]?["reference"])) \(Layout.digest(spec?["image"]?["digest"]?.stringValue))</dd>
            <dt>Command</dt><dd><code>\(command)</code></dd>
            <dt>Executed here</dt><dd>\(spec?["execute"]?.boolValue == true ? "yes" : "no")</dd>
            <dt>Tags</dt><dd>\(Layout.labels(status?["tags"]))</dd>
            <dt>Labels</dt><dd>\(Layout.labels(metadata?["labels"]))</dd>
            <dt>Created</dt><dd>\(Layout.text(metadata?["createdAt"])) by \(Layout.text(metadata?["createdBy"]))</dd>
            </dl>
            <p>\(Layout.link(Layout.path("audit", query: [("resource", "run/\(name)")]), "Audit events of this run")) ·
            \(Layout.link(Layout.path("lineage", query: [("node", "run/\(name)")]), "Lineage of this run"))</p>
            <h2>Params</h2>
            \(Layout.table(caption: "Params", headers: ["Param", "Value"], rows: params, empty: "No params."))
            <h2>Inputs</h2>
            \(Layout.table(caption: "Pinned inputs", headers: ["Dataset", "Version", "Digest"], rows: inputs, empty: "No inputs."))
            <h2>Metrics</h2>
            \(charts)
            \(Layout.table(
                caption: "The latest value of each metric", headers: ["Metric", "Latest value", "Step", "Points"], rows: metricRows,
                empty: "No metrics reported."))
            <h2>Events</h2>
            \(Layout.table(caption: "Events, oldest first", headers: ["Time", "Level", "Message"], rows: eventRows, empty: "No events."))
            <h2>Run log</h2>
            \(log)
            <h2>Artifacts</h2>
            \(Layout.table(
                caption: "Artifacts", headers: ["Artifact", "Size", "SHA-256", "Created"], rows: artifactRows, empty: "No artifacts."))
            <h2>Evidence</h2>
            \(evidence)
            """
        return UIResponse.html(Layout.page(title: "Run \(name)", section: .runs, session: session, body: body))
    }

    static func experimentLink(_ name: String?) -> HTML {
        guard let name, !name.isEmpty else { return "—" }
        return Layout.link(Layout.path("experiments", name), name)
    }

    /// Up to three metrics' latest values in one line, by name: `auc=0.81, loss=0.4`.
    static func keyMetrics(_ answer: JSONValue) -> String {
        let items = (answer["items"]?.arrayValue ?? []).compactMap { metric -> (String, String)? in
            guard let key = metric["key"]?.stringValue else { return nil }
            return (key, Layout.text(metric["value"]))
        }.sorted { $0.0 < $1.0 }
        guard !items.isEmpty else { return "—" }
        let shown = items.prefix(3).map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
        return items.count > 3 ? shown + " …" : shown
    }

    /// A run's params in one line: `max_depth=3, model=gbm`.
    static func params(_ value: JSONValue?) -> String {
        (value?.objectValue ?? []).map { "\($0.key)=\(Layout.text($0.value))" }.joined(separator: ", ")
    }
}
