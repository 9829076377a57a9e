import APIModel
import Hummingbird
import Manifests

/// `/ui/experiments` (paged, label filter) and an experiment: its objective and datasets, and its
/// runs side by side, as MLflow's experiment view shows them: each run's state, params, the
/// objective metric's latest value and how long it ran, the best run by the objective marked,
/// filtered by state.
extension UIRoutes {
    func experiments(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let list = ListQuery(request)
        let page = try await gateway.get("/api/experiments", query: list.api, token: session.token)
        let rows: [[HTML]] = (page["items"]?.arrayValue ?? []).map { experiment in
            let name = experiment["metadata"]?["name"]?.stringValue ?? ""
            let spec = experiment["spec"]
            return [
                Layout.link(Layout.path("experiments", name), name), "\(Self.objective(spec))",
                HTML.join(
                    (spec?["datasets"]?.arrayValue ?? []).compactMap(\.stringValue).map { Layout.link(Layout.path("datasets", $0), $0) },
                    separator: ", "),
                Layout.labels(experiment["metadata"]?["labels"]), "\(Layout.text(spec?["description"]))",
            ]
        }
        let body = Self.labelledList(
            list, base: "/ui/experiments", what: "experiments", placeholder: "team=growth", caption: "Experiments",
            headers: ["Name", "Objective", "Datasets", "Labels", "Description"], rows: rows, next: page["next_page_token"]?.stringValue)
        return UIResponse.html(Layout.page(title: "Experiments", section: .experiments, session: session, body: body))
    }

    func experiment(_ session: UISessions.Session, name: String, _ request: Request) async throws -> Response {
        let base = "/api/experiments/" + APIPath.segment(name)
        let list = ListQuery(request)
        let state = request.uri.queryParameters["state"].map(String.init) ?? ""
        var query = list.api.filter { $0.0 != "label_selector" }
        if !state.isEmpty { query.append(("state", state)) }
        async let experimentAnswer = gateway.get(base, token: session.token)
        async let runsAnswer = gateway.get(base + "/runs", query: query, token: session.token)
        let (experiment, runs) = try await (experimentAnswer, runsAnswer)
        let spec = experiment["spec"]
        let metric = spec?["objective"]?["metric"]?.stringValue
        let maximize = spec?["objective"]?["goal"]?.stringValue != "minimize"
        let items = runs["items"]?.arrayValue ?? []
        // Each run's metrics, read side by side; the objective's latest value is compared.
        let metrics = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, run) in items.enumerated() {
                let path = "/api/experiment-runs/" + APIPath.segment(run["metadata"]?["name"]?.stringValue ?? "") + "/metrics"
                group.addTask { (index, try await gateway.get(path, token: session.token)) }
            }
            var answers = [JSONValue](repeating: .null, count: items.count)
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        let values: [Double?] = metrics.map { answer in
            (answer["items"]?.arrayValue ?? []).first { $0["key"]?.stringValue == metric }?["value"]?.numberValue
        }
        let best = values.enumerated().compactMap { index, value in value.map { (index, $0) } }
            .max { maximize ? $0.1 < $1.1 : $0.1 > $1.1 }?.0
        let rows: [[HTML]] = items.enumerated().map { index, run in
            let runName = run["metadata"]?["name"]?.stringValue ?? ""
            let value: HTML =
                values[index].map { v in index == best ? "<strong>\(Layout.text(.double(v)))</strong> (best)" : "\(Layout.text(.double(v)))"
                } ?? "—"
            return [
                Layout.link(Layout.path("runs", runName), runName), Layout.status(run["status"]?["state"]?.stringValue),
                "\(Self.params(run["spec"]?["params"]))", value, "\(Self.keyMetrics(metrics[index]))",
                "\(RunDuration.text(run["status"] ?? .null))",
            ]
        }
        let states = HTML.join(
            ([""] + RunStateNames.all).map { option in
                let label = option.isEmpty ? "any" : option
                return option == state
                    ? "<option value=\"\(option)\" selected>\(label)</option>" : "<option value=\"\(option)\">\(label)</option>"
            })
        let keep = [("state", state)] + (list.size == 25 ? [] : [("page_size", String(list.size))])
        let body: HTML = """
            <dl class="facts">
            <dt>Objective</dt><dd id="experiment-objective">\(Self.objective(spec))</dd>
            <dt>Datasets</dt><dd>\(HTML.join((spec?["datasets"]?.arrayValue ?? []).compactMap(\.stringValue).map { Layout.link(Layout.path("datasets", $0), $0) }, separator: ", "))</dd>
            <dt>Description</dt><dd>\(Layout.text(spec?["description"]))</dd>
            <dt>Labels</dt><dd>\(Layout.labels(experiment["metadata"]?["labels"]))</dd>
            <dt>Created</dt><dd>\(Layout.text(experiment["metadata"]?["createdAt"])) by \(Layout.text(experiment["metadata"]?["createdBy"]))</dd>
            </dl>
            <p>\(Layout.link(Layout.path("lineage", query: [("node", "experiment/\(name)")]), "Lineage of this experiment")) ·
            \(Layout.link(Layout.path("audit", query: [("resource", "experiment/\(name)")]), "Audit events of this experiment"))</p>
            <h2>Runs</h2>
            <form class="filters" method="get" action="\(Layout.path("experiments", name))" role="search" aria-label="Filter runs">
            <label for="filter-state">State<select id="filter-state" name="state">\(states)</select></label>
            <button type="submit">Filter</button> \(Layout.link(Layout.path("experiments", name), "Clear"))
            </form>
            \(Layout.table(
                caption: "Runs of \(name), compared by \(metric ?? "no objective")",
                headers: ["Run", "State", "Params", metric.map { "\($0) (objective)" } ?? "Objective", "Metrics", "Duration"], rows: rows,
                empty: "No runs match."))
            \(Layout.pager(base: Layout.path("experiments", name), query: keep, next: runs["next_page_token"]?.stringValue, isFirst: list.isFirst))
            """
        return UIResponse.html(Layout.page(title: "Experiment \(name)", section: .experiments, session: session, body: body))
    }

    /// `auc (maximize)`.
    static func objective(_ spec: JSONValue?) -> String {
        guard let metric = spec?["objective"]?["metric"]?.stringValue else { return "—" }
        return "\(metric) (\(spec?["objective"]?["goal"]?.stringValue ?? "maximize"))"
    }
}

/// The run states a filter offers, as the API names them.
enum RunStateNames {
    static let all = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "LOST"]
}
