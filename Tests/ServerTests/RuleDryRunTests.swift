import Curl
import Foundation
import Manifests
import Testing

/// `POST /api/evaluations/dry-run`: a rule that is not applied, evaluated on a stored version.
/// Any authenticated reader may ask; nothing is stored or audited; bad input is named.
@Suite struct RuleDryRunTests {
    static let csv = "id,plan\n1,free\n2,pro\n3,gold\n"

    static func rule(_ name: String = "solo-plans", dataset: String = "solo", checks: String? = nil) -> String {
        let list =
            checks
            ?? #"[{"name": "rows", "rowCount": {"min": 1}}, {"name": "plans", "allowedValues": {"column": "plan", "values": ["free", "pro"]}}]"#
        return
            #"{"apiVersion": "datapilot.io/v1alpha1", "kind": "QualityRule", "metadata": {"name": "\#(name)"}, "spec": {"dataset": "\#(dataset)", "severity": "fail", "checks": \#(list)}}"#
    }

    @Test func aReaderDryRunsARuleOnTheNewestVersionAndNothingIsStored() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("solo")).status == 201)
            #expect(try await server.request("POST", "/api/datasets", json: dataset("other")).status == 201)
            for name in ["solo-1", "solo-2"] {
                let uploaded = try await server.request(
                    "POST", "/api/datasets/solo/versions/upload?name=\(name)", body: .bytes(Array(Self.csv.utf8)),
                    headers: [("Content-Type", "text/csv")])
                #expect(uploaded.status == 201, "\(uploaded.text)")
            }
            let other = try await server.request(
                "POST", "/api/datasets/other/versions/upload?name=other-1", body: .bytes(Array(Self.csv.utf8)),
                headers: [("Content-Type", "text/csv")])
            #expect(other.status == 201, "\(other.text)")
            let viewer = try await server.key(role: "viewer")
            let eventsBefore = try await server.request("GET", "/api/audit/events?page_size=1000").json["items"]?.arrayValue?.count ?? -1

            let answer = try await server.request("POST", "/api/evaluations/dry-run", json: Self.rule(), key: viewer)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("X-DataPilot-Dry-Run") == "true")
            #expect(answer.json["datasetVersion"] == "solo-2", "the newest version: \(answer.text)")
            #expect(answer.json["outcome"] == "FAILED", "\(answer.text)")
            #expect(answer.json["rows"] == 3)
            let checks = answer.json["checks"]?.arrayValue ?? []
            #expect(checks.map { $0["check"]?.stringValue ?? "" } == ["rows", "plans"], "\(answer.text)")
            #expect(checks.last?["outcome"] == "FAILED" && checks.last?["unexpectedCount"] == 1, "\(answer.text)")

            let pinned = try await server.request("POST", "/api/evaluations/dry-run?datasetVersion=solo-1", json: Self.rule(), key: viewer)
            #expect(pinned.status == 200 && pinned.json["datasetVersion"] == "solo-1", "\(pinned.text)")

            // Nothing was written: no evaluation, no rule, no audit event, no lineage edge.
            #expect(try await server.request("GET", "/api/evaluations").json["items"]?.arrayValue?.isEmpty == true)
            #expect(try await server.request("GET", "/api/qualityrules/solo-plans").status == 404)
            let events = try await server.request("GET", "/api/audit/events?page_size=1000").json["items"]?.arrayValue ?? []
            #expect(events.count == eventsBefore, "\(events.suffix(3))")
            #expect(!events.contains { $0["action"] == "evaluate" })
            #expect(try await server.edges("datasetversion/solo-2").allSatisfy { !$0.hasPrefix("evaluation/") })

            // A dataset without versions: answered, with nothing evaluated and why.
            #expect(try await server.request("POST", "/api/datasets", json: dataset("empty")).status == 201)
            let none = try await server.request("POST", "/api/evaluations/dry-run", json: Self.rule(dataset: "empty"), key: viewer)
            #expect(none.status == 200, "\(none.text)")
            #expect(none.json["datasetVersion"] == nil && none.json["outcome"] == nil, "\(none.text)")
            #expect(none.json["note"]?.stringValue?.contains("Dataset \"empty\" has no versions") == true, "\(none.text)")

            // Bad input: status, the field the problem names, and words of its message.
            let big = Self.rule(
                checks: "[" + Array(repeating: #"{"name": "r", "rowCount": {"min": 1}}"#, count: 40_000).joined(separator: ",") + "]")
            let cases: [(label: String, query: String, body: String, contentType: String, status: Int, field: String?, words: String)] = [
                (
                    "unknown dataset", "", Self.rule(dataset: "sollo"), "application/json", 422, "spec.dataset",
                    "Dataset \"sollo\" does not exist"
                ),
                (
                    "a check of no known type", "", Self.rule(checks: #"[{"name": "x", "median": {"column": "id"}}]"#), "application/json",
                    422, "spec.checks[0]", ""
                ),
                ("no checks", "", Self.rule(checks: "[]"), "application/json", 422, "spec.checks", ""),
                (
                    "another kind", "",
                    #"{"apiVersion": "datapilot.io/v1alpha1", "kind": "Dataset", "metadata": {"name": "solo"}, "spec": {"owner": "a@example.com", "format": "csv"}}"#,
                    "application/json", 422, "kind", "QualityRule"
                ),
                (
                    "no name", "", #"{"kind": "QualityRule", "spec": {"dataset": "solo", "severity": "fail", "checks": []}}"#,
                    "application/json", 422,
                    "metadata", ""
                ),
                ("unknown version", "?datasetVersion=solo-9", Self.rule(), "application/json", 422, "datasetVersion", "solo-9"),
                (
                    "another dataset's version", "?datasetVersion=other-1", Self.rule(), "application/json", 422, "datasetVersion",
                    "Dataset \"other\""
                ),
                ("empty version", "?datasetVersion=", Self.rule(), "application/json", 422, "datasetVersion", ""),
                ("not JSON", "", "{\"kind\": ", "application/json", 422, nil, ""),
                ("not a JSON type", "", Self.rule(), "text/plain", 415, nil, "application/json"),
                ("over 1 MiB", "", big, "application/json", 413, nil, "over"),
            ]
            for c in cases {
                let refused = try await server.request(
                    "POST", "/api/evaluations/dry-run" + c.query, body: .bytes(Array(c.body.utf8)),
                    headers: [("Content-Type", c.contentType)],
                    key: viewer)
                #expect(refused.status == c.status, "\(c.label): \(refused.status) \(refused.text.prefix(600))")
                #expect(refused.header("Content-Type")?.hasPrefix("application/problem+json") == true, "\(c.label)")
                if let field = c.field {
                    let paths = (refused.json["errors"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
                    #expect(paths.contains { $0 == field || $0.hasPrefix(field) }, "\(c.label): \(refused.text.prefix(600))")
                }
                let detail = refused.json["detail"]?.stringValue ?? ""
                #expect(!detail.isEmpty && (c.words.isEmpty || detail.contains(c.words)), "\(c.label): \(refused.text.prefix(600))")
            }
            #expect(try await server.request("POST", "/api/evaluations/dry-run", json: Self.rule(), key: nil).status == 401)
            #expect(try await server.request("GET", "/api/evaluations").json["items"]?.arrayValue?.isEmpty == true)
        }
    }
}
