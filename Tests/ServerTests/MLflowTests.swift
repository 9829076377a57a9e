import Blocking
import Foundation
import Manifests
import TestSupport
import Testing

/// Python with the MLflow client (PyPI mlflow-skinny), from the venv `scripts/mlflow-python.sh` keeps.
enum MLflowPython {
    static let queue = BlockingQueue(concurrentLabel: "datapilot.tests.mlflow")

    /// Runs `script` (a path below the repository) against `server` with `token` as MLFLOW_TRACKING_TOKEN.
    static func run(_ script: String, _ arguments: [String], server: TestServer, token: String) async throws -> ProcessResult {
        try await queue.run {
            try Subprocess.run(
                repositoryRoot.appendingPathComponent("scripts/mlflow-python.sh").path,
                [repositoryRoot.appendingPathComponent(script).path] + arguments,
                environment: [
                    "MLFLOW_TRACKING_URI": server.baseURL, "MLFLOW_TRACKING_TOKEN": token, "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
                    "GIT_PYTHON_REFRESH": "quiet",
                ], timeout: .seconds(600))
        }
    }

    /// The JSON object a script printed last.
    static func output(_ result: ProcessResult) -> JSONValue {
        let line = result.stdout.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""
        guard case .success(let value) = JSONText.parse(String(line)) else { return .null }
        return value
    }
}

@Suite("MLflow: the real client") struct MLflowClientTests {
    @Test func aTrainingScriptLogsThroughMLflowAndDataPilotReadsTheSameValues() async throws {
        try await withServer { server in
            let data = "customer,churned\n1,0\n2,1\n3,0\n"
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let version = try await server.request(
                "POST", "/api/datasets/churn/versions/upload?name=churn-1", body: .bytes(Array(data.utf8)))
            let sha256 = try #require(version.json["status"]?["sha256"]?.stringValue, "\(version.text)")
            let editor = try await server.key(role: "editor")
            let folder = try scratchFolder("mlflow-client")
            defer { try? FileManager.default.removeItem(at: folder) }
            let dataFile = folder.appendingPathComponent("churn.csv")
            try Data(data.utf8).write(to: dataFile)
            let report = "auc: 0.81\n"
            let artifact = folder.appendingPathComponent("report.txt")
            try Data(report.utf8).write(to: artifact)

            let result = try await MLflowPython.run(
                "Tests/MLflowClient/train.py",
                ["churn-model", dataFile.path, server.baseURL + "/api/datasets/churn/versions/churn-1/download", artifact.path],
                server: server, token: editor)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr.suffix(4000))")
            let read = MLflowPython.output(result)
            let runID = try #require(read["run_id"]?.stringValue, "\(result.stdout)\n\(result.stderr.suffix(4000))")

            // What the MLflow client read back.
            #expect(read["experiment_id"]?.stringValue == "churn-model")
            #expect(read["found"] == [.string(runID)], "\(read)")
            #expect(read["missed"] == [], "\(read)")
            #expect(read["status"]?.stringValue == "FINISHED")
            #expect(read["params"]?["lr"]?.stringValue == "0.01" && read["params"]?["epochs"]?.stringValue == "3", "\(read)")
            #expect(read["metrics"]?["loss"]?.numberValue == 0.25 && read["metrics"]?["accuracy"]?.numberValue == 0.8, "\(read)")
            #expect(read["tags"]?["team"]?.stringValue == "growth" && read["tags"]?["purpose"]?.stringValue == "baseline", "\(read)")
            let history = (read["history"]?.arrayValue ?? []).map { [$0[0]?.numberValue ?? -1, $0[1]?.numberValue ?? -1] }
            #expect(history == [[0, 1.0], [1, 0.5], [2, 0.3333], [3, 0.25]], "\(read)")
            #expect(read["inputs"] == [["churn", .string(sha256)]], "\(read)")
            #expect(read["artifacts"] == [["report.txt", .int(Int64(report.utf8.count))]], "\(read)")
            #expect(read["downloaded"]?.stringValue == report)

            // The same run through DataPilot's own API: it is a DataPilot run.
            let run = try await server.request("GET", "/api/experiment-runs/\(runID)")
            #expect(run.status == 200, "\(run.text)")
            #expect(run.json["spec"]?["experiment"]?.stringValue == "churn-model")
            #expect(run.json["status"]?["state"]?.stringValue == "SUCCEEDED", "\(run.text)")
            #expect(
                run.json["spec"]?["params"]?["lr"]?.stringValue == "0.01" && run.json["spec"]?["params"]?["model"]?.stringValue == "gbm")
            #expect(run.json["status"]?["tags"]?["team"]?.stringValue == "growth")
            #expect(run.json["status"]?["tags"]?["mlflow.runName"]?.stringValue == "baseline")
            #expect(run.json["status"]?["inputs"]?[0]?["datasetVersion"]?.stringValue == "churn-1", "\(run.text)")
            #expect(run.json["status"]?["inputs"]?[0]?["digest"]?.stringValue == "sha256:" + sha256)
            let metrics = try await server.request("GET", "/api/experiment-runs/\(runID)/metrics")
            let loss = metrics.json["items"]?.arrayValue?.first { $0["key"]?.stringValue == "loss" }
            #expect(
                loss?["value"]?.numberValue == 0.25 && loss?["step"]?.numberValue == 3 && loss?["points"]?.numberValue == 4,
                "\(metrics.text)")
            let points = try await server.request("GET", "/api/experiment-runs/\(runID)/metrics/loss")
            #expect(
                points.json["items"]?.arrayValue?.compactMap { $0["value"]?.numberValue } == [1.0, 0.5, 0.3333, 0.25], "\(points.text)")
            let artifacts = try await server.request("GET", "/api/experiment-runs/\(runID)/artifacts")
            #expect(artifacts.json["items"]?[0]?["name"]?.stringValue == "report.txt", "\(artifacts.text)")
            #expect(try await server.request("GET", "/api/experiment-runs/\(runID)/artifacts/report.txt").text == report)

            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]
            let listed = try await dpctl(["get", "runs"], environment: env)
            #expect(listed.status == 0 && listed.stdout.contains(runID) && listed.stdout.contains("churn-1"), "\(listed)")
            let edges = try await server.edges("run/\(runID)", direction: "downstream")
            #expect(edges.contains("run/\(runID) -input-> datasetversion/churn-1"), "\(edges)")
            #expect(edges.contains("run/\(runID) -belongs-to-> experiment/churn-model"), "\(edges)")
            let trail = try await server.auditTrail()
            for action in ["create", "state", "update", "log-metrics", "tag", "log-inputs", "upload-artifact"] {
                #expect(trail.contains("\(action) run/\(runID)"), "\(action): \(trail)")
            }
            #expect(trail.contains("create experiment/churn-model"))
        }
    }
}
