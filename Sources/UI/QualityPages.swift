import APIModel
import Hummingbird
import Manifests

/// `/ui/quality` (the quality rules, label filter and paging) and a rule (its checks, and the
/// latest outcome of each check on each version of its dataset, beside the version's admission).
extension UIRoutes {
    func qualityRules(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let list = ListQuery(request)
        let page = try await gateway.get("/api/qualityrules", query: list.api, token: session.token)
        let rows: [[HTML]] = (page["items"]?.arrayValue ?? []).map { rule in
            let name = rule["metadata"]?["name"]?.stringValue ?? ""
            let dataset = rule["spec"]?["dataset"]?.stringValue ?? ""
            let checks = (rule["spec"]?["checks"]?.arrayValue ?? []).map { check in
                "\(check["name"]?.stringValue ?? "?") (\(Self.checkType(check)))"
            }
            return [
                Layout.link(Layout.path("quality", name), name), Layout.link(Layout.path("datasets", dataset), dataset),
                "\(Layout.text(rule["spec"]?["severity"]))", "\(checks.joined(separator: ", "))",
                "\(Layout.text(rule["spec"]?["description"]))",
            ]
        }
        let body = Self.labelledList(
            list, base: "/ui/quality", what: "quality rules", placeholder: "team=growth", caption: "Quality rules",
            headers: ["Rule", "Dataset", "Severity", "Checks", "Description"], rows: rows, next: page["next_page_token"]?.stringValue)
        return UIResponse.html(Layout.page(title: "Quality rules", section: .quality, session: session, body: body))
    }

    func qualityRule(_ session: UISessions.Session, name: String) async throws -> Response {
        let rule = try await gateway.get("/api/qualityrules/" + APIPath.segment(name), token: session.token)
        let dataset = rule["spec"]?["dataset"]?.stringValue ?? ""
        let checks = rule["spec"]?["checks"]?.arrayValue ?? []
        let versions = try await gateway.get(APIPath.versions(of: dataset), query: [("page_size", "100")], token: session.token)
        let evaluations = try await gateway.get(
            "/api/evaluations", query: [("dataset", dataset), ("page_size", "100")], token: session.token)
        // The newest finished evaluation of each version that ran this rule.
        var latest: [String: JSONValue] = [:]
        for evaluation in evaluations["items"]?.arrayValue ?? [] where evaluation["state"]?.stringValue == "DONE" {
            let ran = (evaluation["summary"]?["rules"]?.arrayValue ?? []).contains { $0.stringValue == name }
            guard ran, let version = evaluation["datasetVersion"]?.stringValue else { continue }
            if let seen = latest[version], (seen["createdAt"]?.stringValue ?? "") >= (evaluation["createdAt"]?.stringValue ?? "") {
                continue
            }
            latest[version] = evaluation
        }
        let checkRows: [[HTML]] = checks.map { check in
            [
                "<code>\(check["name"]?.stringValue ?? "?")</code>", "\(Self.checkType(check))",
                "\(check["severity"]?.stringValue ?? rule["spec"]?["severity"]?.stringValue ?? "fail")",
                "<code>\(Self.definition(check))</code>",
            ]
        }
        let checkNames = checks.compactMap { $0["name"]?.stringValue }
        let outcomeRows: [[HTML]] = (versions["items"]?.arrayValue ?? []).map { version in
            let versionName = version["metadata"]?["name"]?.stringValue ?? ""
            let evaluation = latest[versionName]
            let results = evaluation?["summary"]?["checks"]?.arrayValue ?? []
            let cells: [HTML] = checkNames.map { check in
                let outcome = results.first { $0["rule"]?.stringValue == name && $0["check"]?.stringValue == check }?["outcome"]
                return Layout.status(outcome?.stringValue ?? (evaluation == nil ? "—" : "not run"))
            }
            let link: HTML = evaluation.map { Layout.link(Layout.path("evaluations", $0["id"]?.stringValue ?? ""), "report") } ?? "—"
            return [
                Layout.link(Layout.path("datasets", dataset, "versions", versionName), versionName),
                Layout.status(version["status"]?["admission"]?["state"]?.stringValue),
            ] + cells + [link]
        }
        let body: HTML = """
            <dl class="facts">
            <dt>Dataset</dt><dd>\(Layout.link(Layout.path("datasets", dataset), dataset))</dd>
            <dt>Severity</dt><dd>\(Layout.text(rule["spec"]?["severity"]))</dd>
            <dt>Description</dt><dd>\(Layout.text(rule["spec"]?["description"]))</dd>
            <dt>Labels</dt><dd>\(Layout.labels(rule["metadata"]?["labels"]))</dd>
            <dt>Updated</dt><dd>\(Layout.text(rule["metadata"]?["updatedAt"])) by \(Layout.text(rule["metadata"]?["updatedBy"]))</dd>
            </dl>
            <p>\(Layout.link(Layout.path("audit", query: [("resource", "qualityrule/\(name)")]), "Audit events of this rule"))</p>
            <h2>Checks</h2>
            \(Layout.table(caption: "Checks", headers: ["Check", "Type", "Severity", "Definition"], rows: checkRows, empty: "No checks."))
            <h2>Latest outcome per version</h2>
            \(Layout.table(
                caption: "Latest outcome of each check per version", headers: ["Version", "Admission"] + checkNames + ["Evaluation"],
                rows: outcomeRows, empty: "The dataset has no versions yet."))
            """
        return UIResponse.html(Layout.page(title: "Quality rule \(name)", section: .quality, session: session, body: body))
    }

    /// The check's type: its one key besides name, severity and threshold (`rowCount`, `unique`...).
    static func checkType(_ check: JSONValue) -> String {
        (check.objectValue ?? []).first { !["name", "severity", "threshold", "description"].contains($0.key) }?.key ?? "?"
    }

    /// The check's definition as compact JSON (`{"column": "plan", "values": [...]}`).
    static func definition(_ check: JSONValue) -> String {
        check[checkType(check)].map { $0.jsonString() } ?? ""
    }
}
