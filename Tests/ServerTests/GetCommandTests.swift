import Blocking
import Foundation
import Manifests
import TestSupport
import Testing

/// dpctl and other children are waited for through the harness's bounded `Waiting`.
let dpctlQueue = Subprocess.waiting

/// Runs the built dpctl with the given environment (and a config file of its own), waiting for
/// it off the cooperative pool.
func dpctl(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await dpctlQueue.run {
        let folder = try scratchFolder("dpctl")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Subprocess.run(
            try Products.path("dpctl"), arguments,
            environment: [
                "DATAPILOT_CONFIG": folder.appendingPathComponent("config.yaml").path, "COLUMNS": "200",
            ].merging(environment) { $1 })
        return (result.status, result.stdout, result.stderr)
    }
}

@Suite struct GetCommandTests {
    @Test func getShowsWhatTheServerHas() async throws {
        try await withServer { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn", labels: #"{"team": "growth"}"#))
            _ = try await server.request(
                "POST", "/api/datasets", json: dataset("tickets", labels: #"{"team": "support"}"#, format: "jsonl"))
            _ = try await server.request("POST", "/api/datasets/churn/versions/upload?name=churn-1", body: .bytes(Array("a,b\n1,2\n".utf8)))
            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]

            let table = try await dpctl(["get", "datasets"], environment: env)
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("NAME") == true)
            #expect(lines.count == 3)
            #expect(lines[1].hasPrefix("churn") && lines[1].contains("csv") && lines[1].contains("team=growth"))

            let selected = try await dpctl(["get", "ds", "-l", "team=support", "-o", "name"], environment: env)
            #expect(selected.stdout == "dataset/tickets\n")

            let one = try await dpctl(["get", "dataset", "churn", "-o", "json"], environment: env)
            guard case .success(let object) = JSONText.parse(one.stdout) else {
                Issue.record("not JSON: \(one.stdout)")
                return
            }
            #expect(object["metadata"]?["name"]?.stringValue == "churn")

            let yaml = try await dpctl(["get", "dataset", "churn", "-o", "yaml"], environment: env)
            #expect(yaml.stdout.contains("kind: Dataset") && yaml.stdout.contains("format: csv"))

            let versions = try await dpctl(["get", "dsv"], environment: env)
            #expect(versions.stdout.contains("churn-1") && versions.stdout.contains("8 B"))

            let missing = try await dpctl(["get", "dataset", "nope"], environment: env)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("dataset \"nope\" not found"))

            let badToken = try await dpctl(
                ["get", "datasets"], environment: ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": "wrong-token-123"])
            #expect(badToken.status == 1)
            #expect(badToken.stderr.contains("check the token"))

            let runs = try await dpctl(["get", "runs"], environment: env)
            #expect(runs.status == 0)
            #expect(runs.stdout == "No runs found.\n")
        }
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let result = try await dpctl(["get", "datasets"], environment: ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "x"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot reach the DataPilot server at http://127.0.0.1:1"))
    }

    @Test func contextsChooseTheServer() async throws {
        try await withServer { server in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ctx-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let tokenFile = folder.appendingPathComponent("token")
            try Data("\(TestServer.adminKey)\n".utf8).write(to: tokenFile)
            let env = ["DATAPILOT_CONFIG": folder.appendingPathComponent("config.yaml").path]

            #expect(
                try await dpctl(
                    ["config", "set-context", "local", "--server", server.baseURL, "--token-file", tokenFile.path], environment: env
                ).status == 0)
            #expect(try await dpctl(["config", "set-context", "broken", "--server", "http://127.0.0.1:1"], environment: env).status == 0)
            let contexts = try await dpctl(["config", "get-contexts"], environment: env)
            #expect(contexts.stdout.contains("*") && contexts.stdout.contains("local") && contexts.stdout.contains("broken"))
            #expect(try await dpctl(["config", "current-context"], environment: env).stdout == "local\n")

            #expect(try await dpctl(["get", "datasets"], environment: env).stdout == "No datasets found.\n")
            #expect(try await dpctl(["get", "datasets", "--context", "broken"], environment: env).status == 1)
            #expect(try await dpctl(["config", "use-context", "broken"], environment: env).status == 0)
            #expect(try await dpctl(["get", "datasets"], environment: env).status == 1)
            let typo = try await dpctl(["config", "use-context", "locl"], environment: env)
            #expect(typo.status == 1)
            #expect(typo.stderr.contains("did you mean \"local\""))
            let badServer = try await dpctl(["config", "set-context", "x", "--server", "localhost:8080"], environment: env)
            #expect(badServer.status == 2)
        }
    }
}
