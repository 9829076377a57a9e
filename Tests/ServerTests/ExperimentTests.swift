import Curl
import Foundation
import Manifests
import Testing

@Suite struct ExperimentTests {
    let csv = "customer_id,tenure\nc1,3\nc2,14\n"

    @Test(arguments: ServerMode.allCases)
    func experimentsAndRunsWithTheirLineage(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(
                try await server.request("POST", "/api/datasets/churn/versions/upload?name=churn-1", body: .bytes(Array(csv.utf8))).status
                    == 201)

            let created = try await server.request("POST", "/api/experiments", json: experiment("churn-model", datasets: ["churn"]))
            #expect(created.status == 201, "\(created.text)")
            #expect(created.header("Location") == "/api/experiments/churn-model")
            #expect(created.json["kind"]?.stringValue == "Experiment")

            let commit = String(repeating: "b", count: 40)
            let started = try await server.request(
                "POST", "/api/runs", json: run("run-1", experiment: "churn-model", inputs: ["churn-1"]),
                headers: [("X-DataPilot-Source-Commit", commit)])
            #expect(started.status == 201, "\(started.text)")
            #expect(started.json["kind"]?.stringValue == "Run")
            #expect(
                try await server.edges("run/run-1", direction: "downstream") == [
                    "run/run-1 -belongs-to-> experiment/churn-model", "run/run-1 -input-> datasetversion/churn-1",
                ])
            #expect(try await server.edges("run/run-1", direction: "upstream") == ["commit/\(commit) -changed-> run/run-1"])
            #expect(
                try await server.edges("experiment/churn-model", direction: "downstream") == [
                    "experiment/churn-model -uses-> dataset/churn"
                ])

            // An update replaces the edges; the same content again writes nothing.
            let changed = try await server.request(
                "PUT", "/api/runs/run-1", json: run("run-1", experiment: "churn-model", inputs: []),
                headers: [("If-Match", "\"1\"")])
            #expect(changed.status == 200)
            #expect(changed.header("ETag") == "\"2\"")
            #expect(try await server.edges("run/run-1", direction: "downstream") == ["run/run-1 -belongs-to-> experiment/churn-model"])
            let same = try await server.request("PUT", "/api/runs/run-1", json: run("run-1", experiment: "churn-model", inputs: []))
            #expect(same.header("ETag") == "\"2\"")
            let events = try await server.request("GET", "/api/audit/events?resource=run/run-1")
            #expect(events.json["items"]?.arrayValue?.map { $0["action"]?.stringValue } == ["create", "update"])
            #expect(events.json["items"]?[0]?["source"]?["commit"]?.stringValue == commit)

            let experimentUpdate = try await server.request(
                "PUT", "/api/experiments/churn-model", json: experiment("churn-model", metric: "f1"))
            #expect(experimentUpdate.status == 200)
            #expect(experimentUpdate.json["spec"]?["objective"]?["metric"]?.stringValue == "f1")
            #expect(try await server.edges("experiment/churn-model", direction: "downstream").isEmpty)

            // An experiment with runs is kept; so is a dataset an experiment uses.
            let kept = try await server.request("DELETE", "/api/experiments/churn-model")
            #expect(kept.status == 409)
            #expect(kept.json["detail"]?.stringValue?.contains("run/run-1") == true, "\(kept.text)")
            #expect(try await server.request("DELETE", "/api/runs/run-1").status == 204)
            #expect(try await server.request("GET", "/api/runs/run-1").status == 404)
            #expect(try await server.request("DELETE", "/api/experiments/churn-model").status == 204)
            #expect(try await server.names("/api/experiments").isEmpty)
        }
    }

    @Test func referencesMustResolve() async throws {
        try await withServer { server in
            let orphan = try await server.request("POST", "/api/runs", json: run("run-x", experiment: "nope"))
            #expect(orphan.status == 422)
            #expect(orphan.json["detail"]?.stringValue?.contains("Experiment \"nope\"") == true)
            #expect(orphan.json["detail"]?.stringValue?.contains("create the Experiment first") == true)

            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            #expect(try await server.request("POST", "/api/experiments", json: experiment("e1", datasets: ["churn"])).status == 201)
            let used = try await server.request("DELETE", "/api/datasets/churn")
            #expect(used.status == 409)
            #expect(used.json["detail"]?.stringValue?.contains("experiment/e1") == true)
            #expect(used.json["referrers"]?.arrayValue?.compactMap(\.stringValue) == ["experiment/e1"])
        }
    }

    static let badRequests: [(label: String, method: String, path: String, body: String?, status: Int, mentions: String)] = [
        (
            "bad goal", "POST", "/api/experiments",
            #"{"metadata": {"name": "e1"}, "spec": {"objective": {"metric": "auc", "goal": "up"}}}"#, 422, "spec.objective.goal"
        ),
        ("unknown field", "POST", "/api/experiments", #"{"metadata": {"name": "e2"}, "spec": {"datasest": ["a"]}}"#, 422, "did you mean"),
        ("run without experiment", "POST", "/api/runs", #"{"metadata": {"name": "r1"}, "spec": {}}"#, 422, "experiment"),
        (
            "bad commit", "POST", "/api/runs",
            #"{"metadata": {"name": "r2"}, "spec": {"experiment": "x", "code": {"repository": "r", "commit": "abc"}}}"#, 422,
            "spec.code.commit"
        ),
        (
            "input without version", "POST", "/api/runs", #"{"metadata": {"name": "r3"}, "spec": {"experiment": "x", "inputs": [{}]}}"#,
            422, "datasetVersion"
        ),
        ("bad label", "POST", "/api/experiments", experiment("e3", labels: #"{"team": "a b"}"#), 422, "metadata.labels"),
        ("name mismatch", "PUT", "/api/runs/r4", run("r5", experiment: "x"), 422, "names cannot be changed"),
        ("delete of nothing", "DELETE", "/api/experiments/e9", nil, 404, "Experiment \"e9\" does not exist"),
    ]

    @Test func badRequestsAreProblemsAndCreateNothing() async throws {
        try await withServer { server in
            for bad in Self.badRequests {
                let response = try await server.request(bad.method, bad.path, json: bad.body)
                #expect(response.status == bad.status, "\(bad.label): \(response.status) \(response.text.prefix(300))")
                #expect(response.json["detail"]?.stringValue?.contains(bad.mentions) == true, "\(bad.label): \(response.text.prefix(400))")
            }
            #expect(try await server.names("/api/experiments").isEmpty)
            #expect(try await server.names("/api/runs").isEmpty)
            #expect(try await server.auditTrail().isEmpty)
        }
    }
}
