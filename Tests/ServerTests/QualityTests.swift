import Curl
import Foundation
import Manifests
import Testing

@Suite struct QualityTests {
    @Test(arguments: ServerMode.allCases)
    func createGetUpdateDelete(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let created = try await server.request("POST", "/api/qualityrules", json: qualityRule("churn-checks", dataset: "churn"))
            #expect(created.status == 201, "\(created.text)")
            #expect(created.header("Location") == "/api/qualityrules/churn-checks")
            #expect(created.header("ETag") == "\"1\"")
            #expect(created.json["kind"]?.stringValue == "QualityRule")
            #expect(created.json["metadata"]?["createdBy"]?.stringValue == "apikey:bootstrap-admin")
            #expect(
                try await server.request("POST", "/api/qualityrules", json: qualityRule("churn-checks", dataset: "churn")).status == 409)

            let fetched = try await server.request("GET", "/api/qualityrules/churn-checks")
            #expect(fetched.json["spec"]?["severity"]?.stringValue == "fail")
            #expect(fetched.header("ETag") == "\"1\"")

            let stale = try await server.request(
                "PUT", "/api/qualityrules/churn-checks", json: qualityRule("churn-checks", dataset: "churn", severity: "warn"),
                headers: [("If-Match", "\"7\"")])
            #expect(stale.status == 412)
            let updated = try await server.request(
                "PUT", "/api/qualityrules/churn-checks", json: qualityRule("churn-checks", dataset: "churn", severity: "warn"),
                headers: [("If-Match", "\"1\"")])
            #expect(updated.status == 200)
            #expect(updated.header("ETag") == "\"2\"")
            let again = try await server.request(
                "PUT", "/api/qualityrules/churn-checks", json: qualityRule("churn-checks", dataset: "churn", severity: "warn"))
            #expect(again.header("ETag") == "\"2\"", "no-op")
            let events = try await server.request("GET", "/api/audit/events?resource=qualityrule/churn-checks")
            #expect(events.json["items"]?.arrayValue?.map { $0["action"]?.stringValue } == ["create", "update"])

            #expect(try await server.edges("qualityrule/churn-checks") == ["qualityrule/churn-checks -checks-> dataset/churn"])

            // The dataset is kept while the rule checks it.
            let referenced = try await server.request("DELETE", "/api/datasets/churn")
            #expect(referenced.status == 409)
            #expect(referenced.json["detail"]?.stringValue?.contains("qualityrule/churn-checks") == true, "\(referenced.text)")

            #expect(try await server.request("DELETE", "/api/qualityrules/churn-checks", headers: [("If-Match", "\"1\"")]).status == 412)
            #expect(try await server.request("DELETE", "/api/qualityrules/churn-checks").status == 204)
            #expect(try await server.request("GET", "/api/qualityrules/churn-checks").status == 404)
            #expect(try await server.edges("qualityrule/churn-checks").isEmpty)
            #expect(try await server.request("DELETE", "/api/datasets/churn").status == 204)
        }
    }

    @Test func aRuleNeedsItsDataset() async throws {
        try await withServer { server in
            let missing = try await server.request("POST", "/api/qualityrules", json: qualityRule("r1", dataset: "nope"))
            #expect(missing.status == 422)
            #expect(missing.json["detail"]?.stringValue?.contains("Dataset \"nope\"") == true)
            #expect(missing.json["detail"]?.stringValue?.contains("create the Dataset first") == true)
            #expect(try await server.request("GET", "/api/qualityrules/r1").status == 404)

            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            #expect(try await server.request("POST", "/api/qualityrules", json: qualityRule("r1", dataset: "churn")).status == 201)
            let moved = try await server.request("PUT", "/api/qualityrules/r1", json: qualityRule("r1", dataset: "nope"))
            #expect(moved.status == 422)
            #expect(moved.json["detail"]?.stringValue?.contains("spec.dataset") == true)
        }
    }

    @Test(arguments: ServerMode.allCases)
    func listsArePagedAndFilteredByLabels(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            for i in 0..<5 {
                let labels = i % 2 == 0 ? #"{"team": "growth"}"# : #"{"team": "risk"}"#
                #expect(
                    try await server.request("POST", "/api/qualityrules", json: qualityRule("q\(i)", dataset: "churn", labels: labels))
                        .status == 201)
            }
            let first = try await server.request("GET", "/api/qualityrules?page_size=3")
            #expect(first.json["items"]?.arrayValue?.count == 3)
            let token = try #require(first.json["next_page_token"]?.stringValue)
            #expect(try await server.names("/api/qualityrules?page_size=3&page_token=\(token)") == ["q3", "q4"])
            #expect(try await server.names("/api/qualityrules?label_selector=team=growth") == ["q0", "q2", "q4"])
        }
    }

    /// A dry run answers like the real request and writes nothing: no object, no audit event.
    @Test(arguments: ServerMode.allCases)
    func dryRunsWriteNothing(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            let trail = try await server.auditTrail()

            let created = try await server.request(
                "POST", "/api/qualityrules?dryRun=true", json: qualityRule("dry", dataset: "churn"),
                headers: [("Idempotency-Key", "dry-1")])
            #expect(created.status == 201)
            #expect(created.header("X-DataPilot-Dry-Run") == "true")
            #expect(created.json["metadata"]?["name"]?.stringValue == "dry")
            #expect(try await server.request("GET", "/api/qualityrules/dry").status == 404)
            #expect(try await server.auditTrail() == trail)
            // The idempotency key was not recorded: the real request with it creates.
            #expect(
                try await server.request(
                    "POST", "/api/qualityrules", json: qualityRule("dry", dataset: "churn"),
                    headers: [("Idempotency-Key", "dry-1")]
                ).status == 201)
            let afterCreate = try await server.auditTrail()

            let refused = try await server.request("POST", "/api/qualityrules?dryRun=true", json: qualityRule("dry2", dataset: "nope"))
            #expect(refused.status == 422)
            #expect(refused.header("X-DataPilot-Dry-Run") == "true")

            let updated = try await server.request(
                "PUT", "/api/qualityrules/dry?dryRun=true", json: qualityRule("dry", dataset: "churn", severity: "warn"))
            #expect(updated.status == 200)
            #expect(updated.json["spec"]?["severity"]?.stringValue == "warn")
            #expect(updated.header("ETag") == "\"2\"")
            #expect(try await server.request("GET", "/api/qualityrules/dry").json["spec"]?["severity"]?.stringValue == "fail")
            let stale = try await server.request(
                "PUT", "/api/qualityrules/dry?dryRun=true", json: qualityRule("dry", dataset: "churn"),
                headers: [("If-Match", "\"5\"")])
            #expect(stale.status == 412)

            let deleted = try await server.request("DELETE", "/api/qualityrules/dry?dryRun=true")
            #expect(deleted.status == 204)
            #expect(deleted.header("X-DataPilot-Dry-Run") == "true")
            #expect(try await server.request("GET", "/api/qualityrules/dry").status == 200)
            #expect(try await server.request("DELETE", "/api/datasets/churn?dryRun=true").status == 409, "still referenced")

            let datasetDry = try await server.request("PUT", "/api/datasets/churn?dryRun=true", json: dataset("churn", format: "jsonl"))
            #expect(datasetDry.status == 200)
            #expect(datasetDry.header("X-DataPilot-Dry-Run") == "true")
            #expect(try await server.request("POST", "/api/datasets?dryRun=true", json: dataset("other")).status == 201)
            #expect(try await server.request("GET", "/api/datasets/other").status == 404)
            #expect(try await server.request("GET", "/api/datasets/churn").json["spec"]?["format"]?.stringValue == "csv")
            #expect(try await server.auditTrail() == afterCreate, "dry runs leave no audit event")

            let bad = try await server.request("POST", "/api/qualityrules?dryRun=yes", json: qualityRule("dry3", dataset: "churn"))
            #expect(bad.status == 400)
            #expect(bad.json["detail"]?.stringValue?.contains("dryRun must be true or false") == true)
            #expect(try await server.request("DELETE", "/api/qualityrules/dry?dryRun=false").status == 204)
        }
    }

    /// Bad requests: each refused with its status and a problem naming the field, and nothing created.
    static let badRequests: [(label: String, method: String, path: String, body: String?, status: Int, mentions: String)] = [
        (
            "no checks", "POST", "/api/qualityrules",
            #"{"metadata": {"name": "b1"}, "spec": {"dataset": "churn", "severity": "fail", "checks": []}}"#, 422, "spec.checks"
        ),
        ("bad severity", "POST", "/api/qualityrules", qualityRule("b2", dataset: "churn", severity: "loud"), 422, "spec.severity"),
        (
            "no dataset", "POST", "/api/qualityrules",
            #"{"metadata": {"name": "b3"}, "spec": {"severity": "fail", "checks": [{"name": "r", "rowCount": {"min": 1}}]}}"#, 422,
            "dataset"
        ),
        (
            "two check types", "POST", "/api/qualityrules",
            #"{"metadata": {"name": "b4"}, "spec": {"dataset": "churn", "severity": "fail", "checks": [{"name": "r", "rowCount": {"min": 1}, "missing": {"column": "a"}}]}}"#,
            422, "spec.checks[0]"
        ),
        ("bad name", "POST", "/api/qualityrules", qualityRule("Bad_Name", dataset: "churn"), 422, "metadata.name"),
        ("wrong kind", "POST", "/api/qualityrules", #"{"kind": "Dataset", "metadata": {"name": "b5"}, "spec": {}}"#, 422, "QualityRule"),
        ("name mismatch", "PUT", "/api/qualityrules/b6", qualityRule("b7", dataset: "churn"), 422, "names cannot be changed"),
        ("update of nothing", "PUT", "/api/qualityrules/b8", qualityRule("b8", dataset: "churn"), 404, "does not exist"),
        ("bad dryRun", "DELETE", "/api/qualityrules/b9?dryRun=1", nil, 400, "dryRun"),
        ("bad page size", "GET", "/api/qualityrules?page_size=5000", nil, 400, "page_size"),
        ("bad label selector", "GET", "/api/qualityrules?label_selector=a%20b=c", nil, 400, "team=growth"),
    ]

    @Test func badRequestsAreProblemsAndCreateNothing() async throws {
        try await withServer { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            let trail = try await server.auditTrail()
            for bad in Self.badRequests {
                let response = try await server.request(bad.method, bad.path, json: bad.body)
                #expect(response.status == bad.status, "\(bad.label): \(response.status) \(response.text.prefix(300))")
                #expect(response.header("Content-Type") == "application/problem+json", "\(bad.label)")
                #expect(response.json["detail"]?.stringValue?.contains(bad.mentions) == true, "\(bad.label): \(response.text.prefix(400))")
            }
            #expect(try await server.names("/api/qualityrules").isEmpty)
            #expect(try await server.auditTrail() == trail)
        }
    }
}
