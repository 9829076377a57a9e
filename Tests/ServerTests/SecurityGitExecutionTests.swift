import Foundation
import Manifests
import Testing

/// Issue 14, finding 1 through git: anyone who can push to a watched branch could start code by
/// committing a Run with `execute: true`. A source executes runs only when its configuration says
/// `execute: allowed`, and `dpctl plan` shows a reviewer every change to what runs execute first.
@Suite("SecurityTests: execution from git") struct SecurityGitExecutionTests {
    /// The examples, then a commit that makes a run execute a command of the pusher's choosing.
    static func pushedExecution() async throws -> (TestRepository, base: String, head: String) {
        let repository = try await TestRepository.examples()
        let base = try await repository.git("rev-parse", "HEAD")
        let file = repository.file("examples/experiments/runs.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "  command: [python3, train.py]\n", with: "  command: [/bin/sh, -c, \"echo pushed-code-ran\"]\n")
        text = text.replacingOccurrences(of: "  execute: false\n  evidence: false\n---", with: "  execute: true\n  evidence: false\n---")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let head = try await repository.commit("Run it")
        return (repository, base, head)
    }

    @Test func aReviewerSeesCodeThatWillRunFirst() async throws {
        let (repository, base, head) = try await Self.pushedExecution()
        defer { repository.remove() }
        let json = try await dpctl(
            ["plan", "--repo", repository.folder.path, "--base", base, "--head", head, "--path", "examples", "-o", "json"],
            environment: [:])
        let report = try #require(try? JSONText.parse(Array(json.stdout.utf8)).get(), "\(json.stdout)\(json.stderr)")
        let findings = (report["objects"]?.arrayValue ?? []).flatMap { $0["findings"]?.arrayValue ?? [] }
        let privileged = findings.filter { $0["code"]?.stringValue == "privileged" }
        #expect(privileged.count == 1, "\(json.stdout)")
        let message = privileged.first?["message"]?.stringValue ?? ""
        #expect(
            message.contains("run/churn-baselines-logreg") && message.contains("spec.execute, spec.command")
                && message.contains("executes when applied"),
            "\(message)")
        let markdown = try await dpctl(
            ["plan", "--repo", repository.folder.path, "--base", base, "--head", head, "--path", "examples", "-o", "markdown"],
            environment: [:])
        let section = try #require(markdown.stdout.range(of: "🔐 Executes code"), "\(markdown.stdout)")
        // First: before any other finding block and before the table of objects.
        for later in ["❌ Blocking", "⚠️ Warnings", "| Object"] {
            if let other = markdown.stdout.range(of: later) { #expect(section.lowerBound < other.lowerBound, "\(later)") }
        }
        let text = try await dpctl(
            ["plan", "--repo", repository.folder.path, "--base", base, "--head", head, "--path", "examples"], environment: [:])
        #expect(text.stdout.contains("executes code: run/churn-baselines-logreg"), "\(text.stdout)")
    }

    @Test func aSourceDoesNotExecuteRunsUnlessItsConfigurationAllowsIt() async throws {
        let (repository, _, _) = try await Self.pushedExecution()
        defer { repository.remove() }
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            let cache = repository.folder.appendingPathComponent(".git/dp-cache").path
            let refused = try await dpctl(
                [
                    "reconcile", "--once", "--repo", repository.url, "--path", "examples", "--database-url", server.databaseURL,
                    "--cache-dir", cache,
                ], environment: server.env)
            #expect(refused.status != 0)
            let said = refused.stdout + refused.stderr
            #expect(
                said.contains("examples/experiments/runs.yaml:") && said.contains("may not execute runs")
                    && said.contains("execute: allowed"), "\(said)")
            // The whole commit was refused: nothing of it reached the server.
            #expect(try await server.request("GET", "/api/runs").json["items"]?.arrayValue?.isEmpty == true)
            #expect(try await server.request("GET", "/api/datasets").json["items"]?.arrayValue?.isEmpty == true)

            // The operator trusts this source with execution (and its key is an executor's): the run executes.
            let allowed = try await dpctl(
                [
                    "reconcile", "--once", "--repo", repository.url, "--path", "examples", "--database-url", server.databaseURL,
                    "--cache-dir", cache, "--execute", "allowed",
                ], environment: server.env)
            #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
            var state = ""
            #expect(
                try await eventually(30) {
                    state =
                        try await server.request("GET", "/api/experiment-runs/churn-baselines-logreg").json["status"]?["state"]?.stringValue
                        ?? ""
                    return ["SUCCEEDED", "FAILED"].contains(state)
                })
            #expect(state == "SUCCEEDED")
            let log = try await server.request("GET", "/api/experiment-runs/churn-baselines-logreg/artifacts/run.log")
            #expect(log.text.contains("pushed-code-ran"), "\(log.text)")
        }
    }

    @Test func theExecuteSettingIsChecked() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sources-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("sources.yaml")
        try "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\", execute: yes}\n".write(
            to: file, atomically: true, encoding: .utf8)
        for (arguments, message) in [
            (["reconcile", "--config", file.path], "sources[0].execute: \"yes\" is not one of allowed, denied"),
            (["reconcile", "--repo", "file:///x", "--execute", "always", "--database-url", "postgres://x"], "--execute \"always\""),
        ] {
            let result = try await dpctl(arguments, environment: ["DATAPILOT_DATABASE_URL": ""])
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
