import Foundation
import Testing

/// `dpctl quality check`: the example rules against the example data, outputs and exit codes.
@Suite struct QualityCommandTests {
    @Test func examplesPassAsATable() async throws {
        let result = try await dpctl(
            "quality", "check", "-f", "examples/quality/churn-hygiene.yaml", "-f", "examples/quality/churn-contact.yaml",
            "examples/data/churn-2026-10.csv")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("RULE "))
        #expect(result.stdout.contains("churn-contact   email-shape"))
        #expect(result.stdout.hasSuffix("373 rows, 32988 bytes (csv): PASSED\n"))
        #expect(!result.stdout.contains("\u{1B}["), "no colour when the output is not a terminal")
    }

    @Test func jsonOutputAndCheckSubset() async throws {
        let result = try await dpctl(
            "quality", "check", "-f", "examples/quality/support-tickets.yaml", "--check", "channels",
            "examples/data/support-tickets-2026-10.jsonl", "-o", "json")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["outcome"] as? String == "PASSED")
        #expect(report["format"] as? String == "jsonl")
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(checks.map { $0["check"] as? String } == ["channels"])
        #expect(checks.first?["elementCount"] as? Int == 260)
    }

    @Test func failedIsOneErrorIsTwo() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dpctl-quality-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("d.csv")
        try Data("id,plan\n1,pro\n1,gold\n".utf8).write(to: data)
        func rules(_ checks: String) -> String {
            "apiVersion: datapilot.io/v1alpha1\nkind: QualityRule\nmetadata: {name: r}\nspec: {dataset: d, severity: fail, checks: [\(checks)]}\n"
        }
        let failed = try await dpctl("quality", "check", "-f", "-", data.path, stdin: rules("{name: u, unique: {columns: [id]}}"))
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.contains("FAILED"))
        let warned = try await dpctl(
            "quality", "check", "-f", "-", data.path, stdin: rules("{name: u, severity: warn, unique: {columns: [id]}}"))
        #expect(warned.status == 0)
        #expect(warned.stdout.hasSuffix("(csv): WARNED\n"))
        let errored = try await dpctl("quality", "check", "-f", "-", data.path, stdin: rules("{name: m, missing: {column: plna}}"))
        #expect(errored.status == 2)
        #expect(errored.stdout.contains("did you mean \"plan\"?"))
    }

    @Test func refusals() async throws {
        let noRules = try await dpctl("quality", "check", "examples/data/churn-2026-10.csv")
        #expect(noRules.status == 2)
        #expect(noRules.stderr.contains("no rules given"))
        let unknownCheck = try await dpctl(
            "quality", "check", "-f", "examples/quality/churn-hygiene.yaml", "--check", "enough-row",
            "examples/data/churn-2026-10.csv")
        #expect(unknownCheck.status == 2)
        #expect(unknownCheck.stderr.contains("did you mean \"enough-rows\"?"))
        let unknownFormat = try await dpctl("quality", "check", "-f", "examples/quality/churn-hygiene.yaml", "README.md")
        #expect(unknownFormat.status == 2)
        #expect(unknownFormat.stderr.contains("cannot tell the format of README.md"))
        let missing = try await dpctl("quality", "check", "-f", "examples/quality/churn-hygiene.yaml", "nowhere.csv")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot open"))
    }
}
