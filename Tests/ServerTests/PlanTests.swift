import APIClient
import Foundation
import Manifests
import Review
import TestSupport
import Testing

@Suite struct PlanTests {
    /// Base: the examples. Head: a dataset added, one changed, a rule removed, one renamed.
    static func pullRequest() async throws -> (TestRepository, base: String, head: String) {
        let repository = try await TestRepository.examples()
        let base = try await repository.git("rev-parse", "HEAD")
        try """
        apiVersion: datapilot.io/v1alpha1
        kind: Dataset
        metadata:
          name: invoices
        spec:
          owner: billing@example.com
          format: csv
        """.write(to: repository.file("examples/datasets/invoices.yaml"), atomically: true, encoding: .utf8)
        try edit(repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn-team@example.com")
        try FileManager.default.removeItem(at: repository.file("examples/quality/churn-contact.yaml"))
        try edit(repository.file("examples/quality/support-tickets.yaml"), "name: support-tickets-survey", "name: support-tickets-feedback")
        let head = try await repository.commit("Invoices, churn's own team, rules tidied")
        return (repository, base, head)
    }

    @Test func theManifestChangeBetweenTwoCommits() async throws {
        let (repository, base, head) = try await Self.pullRequest()
        defer { repository.remove() }
        let result = try await dpctl(
            ["plan", "--repo", repository.folder.path, "--base", "HEAD~1", "--head", "main", "--path", "examples", "-o", "markdown"],
            environment: [:])
        #expect(result.status == 1, "\(result.stderr)")
        try expectGolden("plan-manifest-change.md", normalized(result.stdout, base: base, head: head))
        #expect(result.stdout.hasPrefix(PlanMarkdown.marker))

        let json = try await dpctl(
            ["plan", "--repo", repository.folder.path, "--base", base, "--head", head, "--path", "examples", "-o", "json"], environment: [:]
        )
        let report = try #require(try? JSONText.parse(Array(json.stdout.utf8)).get())
        let changes = Dictionary(
            uniqueKeysWithValues: (report["objects"]?.arrayValue ?? []).compactMap { o in
                o["object"]?.stringValue.map { ($0, o["change"]?.stringValue ?? "") }
            })
        #expect(
            changes == [
                "dataset/invoices": "added", "dataset/churn": "changed", "qualityrule/churn-contact": "removed",
                "qualityrule/support-tickets-feedback": "renamed",
            ], "\(json.stdout)")
        #expect(
            json.stdout.contains("\"renamedFrom\" : \"qualityrule/support-tickets-survey\"")
                || json.stdout.contains("\"renamedFrom\": \"qualityrule/support-tickets-survey\""))
        #expect(json.stdout.contains("+  owner: churn-team@example.com"), "\(json.stdout)")

        let text = try await dpctl(
            ["plan", "--repo", repository.folder.path, "--base", base, "--head", base, "--path", "examples"], environment: [:])
        #expect(text.status == 0, "no change between a commit and itself: \(text.stdout)\(text.stderr)")
    }

    /// A pull request adding November's churn snapshot with one row (the dataset's rules want
    /// more): its base and head commits.
    static func oneRowVersion(in repository: TestRepository) async throws -> (base: String, head: String) {
        let base = try await repository.git("rev-parse", "HEAD")
        try
            "customer_id,signup_date,plan,tenure_months,monthly_spend,email,updated_at,churned\nC000001,2026-01-01,pro,3,20.5,a@example.com,2026-11-30T00:00:00Z,false\n"
            .write(to: repository.file("examples/data/churn-2026-11.csv"), atomically: true, encoding: .utf8)
        try """

        ---
        apiVersion: datapilot.io/v1alpha1
        kind: DatasetVersion
        metadata:
          name: churn-2026-11
        spec:
          dataset: churn
          source:
            path: ../data/churn-2026-11.csv
        """.appendLine(to: repository.file("examples/versions/churn.yaml"))
        return (base, try await repository.commit("November's churn snapshot"))
    }

    @Test func aNewVersionWhoseDataFailsARuleBlocksTheMerge() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let (base, head) = try await Self.oneRowVersion(in: repository)
        let report = try await PlanBuilder(
            PlanRequest(
                repository: repository.folder.path, base: base, head: head, path: "examples",
                gate: lineCountingGate, scratch: scratchFolder())
        ).build()
        #expect(report.exitCode == 2)
        let version = try #require(report.objects.first { $0.ref.description == "datasetversion/churn-2026-11" })
        #expect(version.change == .added)
        #expect(version.quality?.findings.first?.outcome == .failed)
        #expect(version.quality?.findings.first?.check == "enough-rows")
        #expect(version.findings.contains { $0.code == .qualityFailed && $0.blocking })
        let markdown = PlanMarkdown(report).render()
        #expect(markdown.contains("❌ FAILED") && markdown.contains("enough-rows"), "\(markdown)")
        try expectGolden("plan-quality-failure.md", normalized(markdown, base: base, head: head))

        // The default gate is the server's evaluation engine: every check of the dataset's rules runs on the file.
        let plain = try await PlanBuilder(
            PlanRequest(
                repository: repository.folder.path, base: base, head: head, path: "examples",
                scratch: scratchFolder())
        ).build()
        #expect(plain.exitCode == 2)
        let quality = plain.objects.first { $0.ref.description == "datasetversion/churn-2026-11" }?.quality
        #expect(quality?.evaluated == true)
        let outcomes = Dictionary((quality?.findings ?? []).map { ("\($0.rule)/\($0.check)", $0.outcome) }, uniquingKeysWith: { a, _ in a })
        #expect(outcomes["churn-hygiene/enough-rows"] == .failed, "\(outcomes)")
        #expect(outcomes["churn-hygiene/customer-id-format"] == .passed, "\(outcomes)")
        #expect(outcomes.count == 11, "\(outcomes)")
    }

    /// The same blocking finding as CI reads it: a SARIF error on the version's manifest line
    /// (and its object), a failing JUnit case for the object, exit 2 in both.
    @Test func aBlockingFindingIsASARIFErrorAndAFailingJUnitCaseOnItsManifest() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let (base, head) = try await Self.oneRowVersion(in: repository)
        let lines = try String(contentsOf: repository.file("examples/versions/churn.yaml"), encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        let nameLine = try #require(lines.firstIndex { $0.contains("name: churn-2026-11") }) + 1
        let arguments = ["plan", "--repo", repository.folder.path, "--base", base, "--head", head, "--path", "examples"]

        let sarif = try await dpctl(arguments + ["-o", "sarif"], environment: [:])
        #expect(sarif.status == 2, "\(sarif.stderr)")
        let file = repository.folder.appendingPathComponent("plan.sarif")
        try sarif.stdout.write(to: file, atomically: true, encoding: .utf8)
        let checker = repositoryRoot.appendingPathComponent("Tests/CIReports/check_reports.py").path
        let checked = try await Subprocess.run("python3", [checker, "sarif-model", file.path])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        let log = try #require(try? JSONText.parse(Array(sarif.stdout.utf8)).get())
        let results = log["runs"]?[0]?["results"]?.arrayValue ?? []
        let failed = try #require(results.first { $0["ruleId"] == "qualityFailed" }, "\(sarif.stdout)")
        #expect(failed["level"] == "error")
        let location = failed["locations"]?[0]
        #expect(location?["physicalLocation"]?["artifactLocation"]?["uri"] == "examples/versions/churn.yaml", "\(failed)")
        #expect(location?["physicalLocation"]?["region"]?["startLine"]?.numberValue == Double(nameLine), "\(failed)")
        #expect(location?["logicalLocations"]?[0]?["fullyQualifiedName"] == "datasetversion/churn-2026-11", "\(failed)")

        let junit = try await dpctl(arguments + ["-o", "junit"], environment: [:])
        #expect(junit.status == 2, "\(junit.stderr)")
        #expect(
            junit.stdout.contains(
                #"<testcase classname="dpctl plan" name="datasetversion/churn-2026-11" file="examples/versions/churn.yaml">"#),
            "\(junit.stdout)")
        #expect(junit.stdout.contains(#"<failure type="qualityFailed""#), "\(junit.stdout)")
    }

    @Test func aHugePlanStaysUnderTheCommentLimit() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("examples"), withIntermediateDirectories: true)
        try "# empty\n".write(to: folder.appendingPathComponent("examples/README.md"), atomically: true, encoding: .utf8)
        let repository = try await TestRepository(existing: folder)
        defer { repository.remove() }
        let base = try await repository.git("rev-parse", "HEAD")
        var yaml = ""
        for i in 0..<600 {
            yaml += """
                ---
                apiVersion: datapilot.io/v1alpha1
                kind: Dataset
                metadata:
                  name: table-\(String(format: "%04d", i))
                  labels: {team: warehouse, tier: bronze}
                spec:
                  owner: warehouse-\(i)@example.com
                  format: parquet
                  description: \(String(repeating: "A nightly export of one warehouse table. ", count: 6))

                """
        }
        try yaml.write(to: repository.file("examples/tables.yaml"), atomically: true, encoding: .utf8)
        let head = try await repository.commit("600 tables")
        let report = try await PlanBuilder(
            PlanRequest(
                repository: repository.folder.path, base: base, head: head, path: "examples",
                scratch: scratchFolder())
        ).build()
        #expect(report.objects.count == 600)
        let markdown = PlanMarkdown(report).render()
        #expect(markdown.utf8.count <= PlanMarkdown.defaultBudget, "\(markdown.utf8.count) bytes")
        #expect(markdown.contains("more objects not shown"), "\(markdown.suffix(500))")
        #expect(markdown.components(separatedBy: "<details>").count == markdown.components(separatedBy: "</details>").count)
        #expect(report.json.jsonString().contains("table-0599"))
    }

    @Test func badInputIsNamed() async throws {
        let (repository, base, _) = try await Self.pullRequest()
        defer { repository.remove() }
        try edit(repository.file("examples/datasets/churn.yaml"), "format: csv", "format: cvs")
        let invalid = try await repository.commit("A typo")
        let repo = repository.folder.path
        let cases: [([String], String)] = [
            (["plan", "--repo", "/nonexistent/repo", "--base", "main", "--head", "main"], "/nonexistent/repo does not exist"),
            (
                ["plan", "--repo", FileManager.default.temporaryDirectory.path, "--base", "main", "--head", "main"],
                "is not a git repository"
            ),
            (["plan", "--repo", repo, "--base", "no-such-branch", "--head", "main"], "--base no-such-branch"),
            (["plan", "--repo", repo, "--base", base, "--head", "feature/nope"], "--head feature/nope"),
            (["plan", "--repo", repo, "--base", base, "--head", invalid, "--path", "examples"], "examples/datasets/churn.yaml:"),
            (["plan", "--repo", repo, "--base", base, "--head", "main", "--path", "nowhere"], "\"nowhere\" is not a folder"),
            (
                ["plan", "--repo", repo, "--base", base, "--head", "HEAD~1", "--path", "examples", "--server", "http://127.0.0.1:1"],
                "cannot plan against http://127.0.0.1:1"
            ),
            (["plan", "--repo", repo, "--base", base, "--head", "main", "-o", "yaml"], "'yaml'"),
            (["plan", "--repo", repo, "--base", base, "--head", "main", "--server", "localhost:8080"], "http:// or https://"),
            (["plan", "--repo", repo, "--base", base, "--head", "main", "--prune"], "--prune needs --applyset"),
            (["plan", "--repo", repo, "--base", base, "--head", "main", "--external-url-allow", "ftp://*"], "--external-url-allow"),
            (["plan", "--repo", repo, "--base", base, "--head", "main", "--url-max-bytes", "0"], "--url-max-bytes must be more than 0"),
            (["plan", "--repo", repo, "--head", "main"], "--base"),
        ]
        for (arguments, message) in cases {
            let result = try await dpctl(arguments, environment: ["DATAPILOT_TOKEN": "x"])
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stdout)\(result.stderr)")
            #expect((result.stderr + result.stdout).contains(message), "\(arguments): \(result.stderr)")
        }
    }
}

extension TestRepository {
    /// A repository of an existing folder, committed as it is.
    init(existing folder: URL) async throws {
        self.folder = folder
        try await git("init", "-q", "-b", "main")
        try await commit("Start")
    }
}

extension String {
    func appendLine(to file: URL) throws {
        let old = try String(contentsOf: file, encoding: .utf8)
        try (old + self + "\n").write(to: file, atomically: true, encoding: .utf8)
    }
}
