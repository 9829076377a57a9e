import Foundation
import Testing

@Suite struct ValidateCommandTests {
    @Test func examplesAreValid() async throws {
        let result = try await dpctl("validate", "-R", "-f", "examples/")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "valid: 14 manifests in 11 files\n")
        #expect(result.stderr == "")
    }

    @Test func errorsLookLikeACompilersAndExitOne() async throws {
        let bad = "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: churn}\nspec: {owner: x, format: cvs}\n"
        let result = try await dpctl("validate", "-f", "-", stdin: bad)
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("<stdin>:4:26: error: spec.format: \"cvs\" is not one of csv, jsonl, parquet (did you mean \"csv\"?)"))
        #expect(result.stderr.contains("Nothing was applied"))
        #expect(!result.stderr.contains("\u{1B}["), "no colour when the output is not a terminal")
    }

    @Test func jsonOutputCarriesEveryDiagnosticAndObject() async throws {
        let result = try await dpctl("validate", "-R", "-f", "examples/", "-o", "json")
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["valid"] as? Bool == true)
        #expect(report["manifests"] as? Int == 14)
        let objects = try #require(report["objects"] as? [[String: Any]])
        #expect(objects.count == 14)
        #expect(objects.allSatisfy { ($0["digest"] as? String)?.hasPrefix("sha256:") == true })

        let bad = try await dpctl("validate", "-f", "-", "-o", "json", stdin: "kind: Run\n")
        #expect(bad.status == 1)
        let badReport = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(badReport["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.map { $0["code"] as? String } == ["missingField", "missingField", "missingField"])
        #expect(diagnostics.allSatisfy { $0["file"] as? String == "<stdin>" && $0["line"] as? Int == 1 })
    }

    @Test func stdinCombinesWithFiles() async throws {
        let run = """
            apiVersion: datapilot.io/v1alpha1
            kind: Run
            metadata: {name: extra-run}
            spec: {experiment: churn-baselines, inputs: [{datasetVersion: churn-2026-10}]}
            """
        let result = try await dpctl("validate", "-R", "-f", "examples/", "-f", "-", stdin: run)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("valid: 15 manifests in 12 files"))
    }

    @Test func externalReferencesBecomeWarnings() async throws {
        let rule = """
            apiVersion: datapilot.io/v1alpha1
            kind: QualityRule
            metadata: {name: r}
            spec: {dataset: elsewhere, severity: warn, checks: [{rowCount: {min: 1}}]}
            """
        let strict = try await dpctl("validate", "-f", "-", stdin: rule)
        #expect(strict.status == 1)
        let lenient = try await dpctl("validate", "-f", "-", "--allow-external-refs", stdin: rule)
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("<stdin>:4:17: warning: spec.dataset: Dataset \"elsewhere\""))
        #expect(lenient.stdout.contains("(1 warning)"))
    }

    /// Usage mistakes exit 2 and say what to do.
    static let usageErrors: [(arguments: [String], mentions: String)] = [
        (["validate"], "name files or folders with -f"),
        (["validate", "-f", "-", "-f", "-"], "standard input"),
        (["validate", "-f", "examples", "-o", "yaml"], "'yaml'"),
        (["validate", "-f", "examples", "--recursive=yes"], "recursive"),
        (["validate", "-f", "examples", "--frobnicate"], "--frobnicate"),
        (["valdate", "-f", "examples"], "did you mean \"validate\""),
        (["schemas", "--write", "a", "--check", "b"], "either --write or --check"),
    ]

    @Test(arguments: usageErrors)
    func usageErrorsExitTwo(_ arguments: [String], _ mentions: String) async throws {
        let result = try await dpctl(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
    }

    @Test func aMissingPathExitsOneNamingIt() async throws {
        let result = try await dpctl("validate", "-f", "no/such/dir")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no/such/dir:0:0: error: no such file or folder"))
    }

    @Test func schemasCheckPassesOnTheRepositoryAndFailsOnStaleFiles() async throws {
        let ok = try await dpctl("schemas", "--check", ".")
        #expect(ok.status == 0, "\(ok.stderr)")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("schemas-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: empty) }
        let stale = try await dpctl("schemas", "--check", empty.path)
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("schemas/dataset.json differs from the model; run: dpctl schemas --write"))
        let written = try await dpctl("schemas", "--write", empty.path)
        #expect(written.status == 0)
        await #expect(try dpctl("schemas", "--check", empty.path).status == 0)
    }

    @Test func versionPrints() async throws {
        let result = try await dpctl("version")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("dpctl "))
    }
}
