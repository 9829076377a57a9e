import APIModel
import Hummingbird
import Manifests

/// `/ui/datasets` (label filter, paging), a dataset (schema, versions, evaluations) and a version
/// (its file, its evaluations, and for editors an "Evaluate now" button).
extension UIRoutes {
    func datasets(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let list = ListQuery(request)
        let page = try await gateway.get("/api/datasets", query: list.api, token: session.token)
        let rows: [[HTML]] = (page["items"]?.arrayValue ?? []).map { dataset in
            let name = dataset["metadata"]?["name"]?.stringValue ?? ""
            return [
                Layout.link(Layout.path("datasets", name), name), "\(Layout.text(dataset["spec"]?["owner"]))",
                "\(Layout.text(dataset["spec"]?["format"]))", Layout.labels(dataset["metadata"]?["labels"]),
                "\(Layout.text(dataset["spec"]?["description"]))",
            ]
        }
        let body = Self.labelledList(
            list, base: "/ui/datasets", what: "datasets", placeholder: "team=growth,pii!=true", caption: "Datasets",
            headers: ["Name", "Owner", "Format", "Labels", "Description"], rows: rows, next: page["next_page_token"]?.stringValue)
        return UIResponse.html(Layout.page(title: "Datasets", section: .datasets, session: session, body: body))
    }

    func dataset(_ session: UISessions.Session, name: String) async throws -> Response {
        let dataset = try await gateway.get("/api/datasets/" + APIPath.segment(name), token: session.token)
        let versions = try await gateway.get(APIPath.versions(of: name), query: [("page_size", "100")], token: session.token)
        let evaluations = try await gateway.get("/api/evaluations", query: [("dataset", name), ("page_size", "100")], token: session.token)
        let spec = dataset["spec"], metadata = dataset["metadata"]
        let columns: [[HTML]] = (spec?["schema"]?["columns"]?.arrayValue ?? []).map { column in
            [
                "<code>\(Layout.text(column["name"]))</code>", "\(Layout.text(column["type"]))",
                "\(column["nullable"]?.boolValue == false ? "no" : "yes")", "\(Layout.text(column["description"]))",
            ]
        }
        let versionRows: [[HTML]] = (versions["items"]?.arrayValue ?? []).map { version in
            let versionName = version["metadata"]?["name"]?.stringValue ?? ""
            return [
                Layout.link(Layout.path("datasets", name, "versions", versionName), versionName),
                Layout.status(version["status"]?["admission"]?["state"]?.stringValue),
                "\(Layout.bytes(version["status"]?["size"]?.numberValue))", Layout.digest(version["status"]?["sha256"]?.stringValue),
                "\(Layout.text(version["metadata"]?["createdAt"]))",
                "\(Layout.text(version["spec"]?["description"]))",
            ]
        }
        let body: HTML = """
            <dl class="facts">
            <dt>Owner</dt><dd>\(Layout.text(spec?["owner"]))</dd>
            <dt>Format</dt><dd>\(Layout.text(spec?["format"]))</dd>
            <dt>Description</dt><dd>\(Layout.text(spec?["description"]))</dd>
            <dt>Labels</dt><dd>\(Layout.labels(metadata?["labels"]))</dd>
            <dt>Updated</dt><dd>\(Layout.text(metadata?["updatedAt"])) by \(Layout.text(metadata?["updatedBy"]))</dd>
            </dl>
            <p>\(Layout.link(Layout.path("audit", query: [("resource", "dataset/\(name)")]), "Audit events of this dataset")) ·
            \(Layout.link(Layout.path("lineage", query: [("node", "dataset/\(name)")]), "Lineage of this dataset"))</p>
            <h2>Schema</h2>
            \(Layout.table(
                caption: "Columns", headers: ["Column", "Type", "Nullable", "Description"], rows: columns, empty: "No schema declared."))
            <h2>Versions</h2>
            \(Layout.table(
                caption: "Versions", headers: ["Version", "Admission", "Size", "SHA-256", "Created", "Description"], rows: versionRows,
                empty: "No versions yet."))
            <h2>Evaluations</h2>
            \(Self.evaluationTable(evaluations["items"]?.arrayValue ?? [], dataset: name))
            """
        return UIResponse.html(Layout.page(title: "Dataset \(name)", section: .datasets, session: session, body: body))
    }

    func datasetVersion(_ session: UISessions.Session, dataset: String, version: String) async throws -> Response {
        let object = try await gateway.get(APIPath.version(version, of: dataset), token: session.token)
        let evaluations = try await gateway.get(
            "/api/evaluations", query: [("datasetVersion", version), ("page_size", "100")], token: session.token)
        let status = object["status"], metadata = object["metadata"]
        let source = object["spec"]?["source"]
        let action: HTML =
            session.mayEdit
            ? """
            <form method="post" action="\(Layout.path("datasets", dataset, "versions", version, "evaluate"))" \
            data-confirm="Evaluate \(version) against its dataset's quality rules now?">
            <input type="hidden" name="csrf" value="\(session.csrf)">
            <button type="submit" id="evaluate">Evaluate now</button>
            </form>
            """ : ""
        // A stored version downloads through the UI; an external one from its own URL.
        let download: HTML =
            if status?["stored"]?.boolValue == true {
                Layout.link(Layout.path("datasets", dataset, "versions", version, "download"), "Download")
            } else if let url = source?["url"]?.stringValue, url.hasPrefix("https://") || url.hasPrefix("http://") {
                "<a href=\"\(url)\" rel=\"noreferrer\">Download from its URL</a>"
            } else {
                "no download"
            }
        let body: HTML = """
            <p>Version of \(Layout.link(Layout.path("datasets", dataset), dataset)) ·
            \(Layout.link(Layout.path("lineage", query: [("node", "datasetversion/\(version)")]), "Lineage of this version"))</p>
            <dl class="facts">
            <dt>Admission</dt><dd id="admission">\(Layout.status(status?["admission"]?["state"]?.stringValue)) \
            \(Layout.text(status?["admission"]?["reason"]))</dd>
            <dt>SHA-256</dt><dd>\(Layout.digest(status?["sha256"]?.stringValue))</dd>
            <dt>Size</dt><dd>\(Layout.bytes(status?["size"]?.numberValue))</dd>
            <dt>Content type</dt><dd>\(Layout.text(status?["contentType"]))</dd>
            <dt>Stored here</dt><dd>\(status?["stored"]?.boolValue == true ? "yes" : "no (external URL)") · \(download)</dd>
            <dt>External URL</dt><dd>\(Layout.text(source?["url"]))</dd>
            <dt>Description</dt><dd>\(Layout.text(object["spec"]?["description"]))</dd>
            <dt>Labels</dt><dd>\(Layout.labels(metadata?["labels"]))</dd>
            <dt>Created</dt><dd>\(Layout.text(metadata?["createdAt"])) by \(Layout.text(metadata?["createdBy"]))</dd>
            </dl>
            \(action)
            <h2>Evaluations</h2>
            \(Self.evaluationTable(evaluations["items"]?.arrayValue ?? [], dataset: dataset))
            """
        return UIResponse.html(Layout.page(title: "Version \(version)", section: .datasets, session: session, body: body))
    }

    /// The "Evaluate now" form: `POST /api/evaluations` as the signed-in user, then the result.
    func evaluate(_ session: UISessions.Session, dataset: String, version: String) async throws -> Response {
        let result = try await gateway.post("/api/evaluations", json: ["datasetVersion": .string(version)], token: session.token)
        guard let id = result["id"]?.stringValue else { return UIResponse.redirect(Layout.path("datasets", dataset, "versions", version)) }
        return UIResponse.redirect(Layout.path("evaluations", id))
    }

    static func evaluationTable(_ evaluations: [JSONValue], dataset: String) -> HTML {
        let rows: [[HTML]] = evaluations.map { evaluation in
            let id = evaluation["id"]?.stringValue ?? ""
            let version = evaluation["datasetVersion"]?.stringValue ?? ""
            return [
                Layout.link(Layout.path("evaluations", id), id),
                Layout.link(Layout.path("datasets", dataset, "versions", version), version),
                Layout.status(evaluation["outcome"]?.stringValue ?? evaluation["state"]?.stringValue),
                "\(Layout.text(evaluation["summary"]?["rows"]))", "\(Layout.text(evaluation["trigger"]))",
                "\(Layout.text(evaluation["createdAt"]))",
            ]
        }
        return Layout.table(
            caption: "Evaluations", headers: ["Evaluation", "Version", "Outcome", "Rows", "Trigger", "Created"], rows: rows,
            empty: "No evaluations yet.")
    }
}
