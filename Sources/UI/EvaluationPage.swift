import APIModel
import Hummingbird
import Manifests

/// `/ui/evaluations/{id}`: an evaluation's outcome, each check's result, and the sample rows with
/// unexpected values from the stored report.
extension UIRoutes {
    func evaluation(_ session: UISessions.Session, id: String) async throws -> Response {
        let evaluation = try await gateway.get("/api/evaluations/" + APIPath.segment(id), token: session.token)
        let dataset = evaluation["dataset"]?.stringValue ?? "", version = evaluation["datasetVersion"]?.stringValue ?? ""
        // The stored report has the sample rows the summary leaves out; a running evaluation has none yet.
        var report: JSONValue = .null
        if evaluation["state"]?.stringValue == "DONE" {
            report = try await gateway.get("/api/evaluations/" + APIPath.segment(id) + "/report", token: session.token)
        }
        let checks = report["checks"]?.arrayValue ?? evaluation["summary"]?["checks"]?.arrayValue ?? []
        let rows: [[HTML]] = checks.map { check in
            [
                "\(Layout.text(check["rule"]))", "<code>\(Layout.text(check["check"]))</code>", "\(Layout.text(check["type"]))",
                "\(Layout.text(check["severity"]))", Layout.status(check["outcome"]?.stringValue),
                "\(Layout.text(check["unexpectedCount"])) of \(Layout.text(check["elementCount"]))",
                "\(Layout.text(check["message"]))",
            ]
        }
        var samples: [HTML] = []
        for check in checks {
            guard let sampleRows = check["sampleRows"]?.arrayValue, !sampleRows.isEmpty else { continue }
            let lines: [[HTML]] = sampleRows.map { sample in
                ["\(Layout.text(sample["line"]))", "<code>\(Layout.text(sample["values"]))</code>"]
            }
            let name = "\(Layout.text(check["rule"])) / \(Layout.text(check["check"]))"
            samples.append(
                "<h3>\(name)</h3>\(Layout.table(caption: "Sample rows of \(name)", headers: ["Line", "Values"], rows: lines, empty: ""))")
        }
        let outcome = Layout.status(evaluation["outcome"]?.stringValue ?? evaluation["state"]?.stringValue)
        let body: HTML = """
            <dl class="facts">
            <dt>Outcome</dt><dd id="evaluation-outcome">\(outcome)</dd>
            <dt>Dataset</dt><dd>\(Layout.link(Layout.path("datasets", dataset), dataset))</dd>
            <dt>Version</dt><dd>\(Layout.link(Layout.path("datasets", dataset, "versions", version), version))</dd>
            <dt>Version SHA-256</dt><dd>\(Layout.digest(evaluation["versionSha256"]?.stringValue))</dd>
            <dt>Rows</dt><dd>\(Layout.text(evaluation["summary"]?["rows"]))</dd>
            <dt>Rules</dt><dd>\(Layout.text(evaluation["summary"]?["rules"]))</dd>
            <dt>Trigger</dt><dd>\(Layout.text(evaluation["trigger"])) by \(Layout.text(evaluation["createdBy"]))</dd>
            <dt>Created</dt><dd>\(Layout.text(evaluation["createdAt"]))</dd>
            <dt>Finished</dt><dd>\(Layout.text(evaluation["finishedAt"]))</dd>
            <dt>Error</dt><dd>\(Layout.text(evaluation["error"]))</dd>
            <dt>Report</dt><dd>\(report == .null ? "none yet" : Layout.link(Layout.path("evaluations", id, "report"), "Download the full report (JSON)"))</dd>
            </dl>
            <h2>Checks</h2>
            \(Layout.table(
                caption: "Each check's result", headers: ["Rule", "Check", "Type", "Severity", "Outcome", "Unexpected", "Message"],
                rows: rows, empty: "No checks."))
            <h2>Sample rows with unexpected values</h2>
            \(samples.isEmpty ? "<p class=\"muted\">None: no check found unexpected values.</p>" : HTML.join(samples))
            """
        return UIResponse.html(Layout.page(title: "Evaluation \(id)", section: .datasets, session: session, body: body))
    }
}
