import Foundation
import Manifests
import Testing

@Suite struct PlanServerTests {
    /// Base applied as apply set `examples`; the head changes a version's data (refused: versions
    /// are immutable), drops both runs (two prunes, over a limit of one), adds a dataset that
    /// another apply set already manages, and changes churn's owner.
    @Test func thePlanAgainstTheLiveServerFlagsWhatAReviewerMustSee() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let base = try await repository.git("rev-parse", "HEAD")
        try await withServer { server in
            let root = repository.file("examples").path
            let apply = try await dpctl(["apply", "-f", root, "-R", "--applyset", "examples", "--root", root], environment: server.env)
            #expect(apply.status == 0, "\(apply.stderr)")
            _ = try await server.request("PUT", "/api/applysets/warehouse", json: #"{"members": ["dataset/invoices"]}"#)

            try "extra,row\n".appendLine(to: repository.file("examples/data/churn-2026-09.csv"))
            try FileManager.default.removeItem(at: repository.file("examples/experiments/runs.yaml"))
            try edit(
                repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn-team@example.com")
            try """
            apiVersion: datapilot.io/v1alpha1
            kind: Dataset
            metadata: {name: invoices}
            spec: {owner: billing@example.com, format: csv}
            """.write(to: repository.file("examples/datasets/invoices.yaml"), atomically: true, encoding: .utf8)
            let head = try await repository.commit("A risky pull request")

            let arguments = [
                "plan", "--repo", repository.folder.path, "--base", base, "--head", head, "--path", "examples",
                "--server", server.baseURL, "--applyset", "examples", "--prune", "--max-deletes", "1",
            ]
            let json = try await dpctl(arguments + ["-o", "json"], environment: server.env)
            #expect(json.status == 2, "\(json.stdout)\(json.stderr)")
            let report = try #require(try? JSONText.parse(Array(json.stdout.utf8)).get())
            var server_: [String: String] = [:]
            var codes: [String: Set<String>] = [:]
            for object in report["objects"]?.arrayValue ?? [] {
                let name = object["object"]?.stringValue ?? ""
                server_[name] = object["server"]?["result"]?.stringValue
                codes[name] = Set((object["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
            }
            #expect(server_["dataset/invoices"] == "created")
            #expect(server_["dataset/churn"] == "configured")
            #expect(server_["datasetversion/churn-2026-09"] == "refused")
            #expect(server_["run/churn-baselines-gbm"] == "pruned" && server_["run/churn-baselines-logreg"] == "pruned", "\(json.stdout)")
            // Refused; its changed data is also up for the quality gate (which this build lacks: a warning).
            #expect(codes["datasetversion/churn-2026-09"]?.contains("refused") == true, "\(codes)")
            #expect(codes["dataset/invoices"] == ["otherApplySet"])
            #expect(codes["run/churn-baselines-gbm"] == ["prune"])
            #expect(report["findings"]?.arrayValue?.first?["code"] == "deleteThreshold")
            #expect(
                report["findings"]?.arrayValue?.first?["message"]?.stringValue?.contains("prune 2 objects, more than the limit of 1")
                    == true)

            // The same in the PR comment, blocking findings first; nothing was written.
            let markdown = try await dpctl(arguments + ["-o", "markdown"], environment: server.env)
            #expect(markdown.status == 2)
            #expect(markdown.stdout.contains("❌ **Blocked**") && markdown.stdout.contains("versions are immutable"), "\(markdown.stdout)")
            let blocking = try #require(markdown.stdout.range(of: "**❌ Blocking"))
            let warnings = try #require(markdown.stdout.range(of: "**⚠️ Warnings"))
            #expect(blocking.lowerBound < warnings.lowerBound)
            #expect(try await server.request("GET", "/api/datasets/invoices").status == 404)
            #expect(try await server.request("GET", "/api/datasets/churn").json["spec"]?["owner"] == "growth-analytics@example.com")

            let text = try await dpctl(arguments, environment: server.env)
            #expect(text.stdout.contains("blocking:") && text.stdout.contains("dataset/invoices  added, server: created"), "\(text.stdout)")
        }
    }
}
