import Foundation
import TestSupport
import Testing

/// `dpctl validate -o sarif|junit` and GitHub Actions annotations, read back as the CI tools
/// that consume them would (sarif-pydantic's SARIF 2.1.0 model, junitparser), each finding where
/// `-o json` puts it.
@Suite struct CIReportTests {
    static let bad = """
        apiVersion: datapilot.io/v1alpha1
        kind: Dataset
        metadata: {name: Bad_Name}
        spec: {format: cvs, owner: team@example.com, description: "50% off"}

        """

    /// A folder with the examples, a bad file whose name needs escaping everywhere, and a
    /// rule that names a column its dataset lacks.
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ci-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("odd dir"), withIntermediateDirectories: true)
        try bad.write(to: folder.appendingPathComponent("odd dir/bad,name:50%.yaml"), atomically: true, encoding: .utf8)
        try "kind: Run\n".write(to: folder.appendingPathComponent("second.yaml"), atomically: true, encoding: .utf8)
        try """
        apiVersion: datapilot.io/v1alpha1
        kind: Dataset
        metadata: {name: fine}
        spec: {format: csv, owner: team@example.com}

        """.write(to: folder.appendingPathComponent("fine.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    /// `-o json`'s diagnostics, written to a file for the checker.
    static func expected(in folder: URL) async throws -> (URL, Int) {
        let json = try await dpctl(["validate", "-R", "-f", ".", "-o", "json"], cwd: folder)
        #expect(json.status == 1, "\(json.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let diagnostics = try #require(parsed?["diagnostics"] as? [[String: Any]], "\(json.stdout)")
        let file = folder.appendingPathComponent("expected.json")
        try JSONSerialization.data(withJSONObject: diagnostics).write(to: file)
        return (file, diagnostics.count)
    }

    static func check(_ kind: String, _ report: String, folder: URL, expected: URL) async throws {
        let file = folder.appendingPathComponent("report.\(kind)")
        try report.write(to: file, atomically: true, encoding: .utf8)
        let checker = repositoryRoot.appendingPathComponent("Tests/CIReports/check_reports.py").path
        let checked = try await Subprocess.run("python3", [checker, kind, file.path, expected.path])
        #expect(checked.status == 0, "\(kind): \(checked.stdout)\(checked.stderr)\n\(report.prefix(3000))")
    }

    @Test func sarifAndJUnitCarryEveryDiagnosticWhereJSONPutsIt() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (expected, count) = try await Self.expected(in: folder)
        #expect(count >= 3, "the bad file's name and format, the Run's missing fields")
        for kind in ["sarif", "junit"] {
            let result = try await dpctl(["validate", "-R", "-f", ".", "-o", kind], cwd: folder)
            #expect(result.status == 1, "invalid manifests still exit 1 with -o \(kind): \(result.stderr)")
            try await Self.check(kind, result.stdout, folder: folder, expected: expected)
        }
        // A valid set: an empty SARIF run and a JUnit report of passed cases, exit 0.
        let valid = try await dpctl(["validate", "-f", "fine.yaml", "-o", "junit"], cwd: folder)
        #expect(valid.status == 0 && valid.stdout.contains(#"tests="1" failures="0""#), "\(valid.stdout)\(valid.stderr)")
        let empty = try await dpctl(["validate", "-f", "fine.yaml", "-o", "sarif"], cwd: folder)
        #expect(empty.status == 0 && empty.stdout.contains(#""results" : ["#), "\(empty.stdout)")
    }

    /// Under GitHub Actions each finding is an annotation on its line; the file name's `,`, `:`
    /// and `%` are escaped so the runner reads the properties back whole.
    @Test func githubActionsAnnotatesEachFinding() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await dpctl(["validate", "-f", "odd dir"], cwd: folder, environment: ["GITHUB_ACTIONS": "true"])
        #expect(result.status == 1)
        let annotations = result.stdout.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(annotations.count == 2, "\(result.stdout)")
        #expect(
            annotations.contains {
                $0.hasPrefix("::error file=odd dir/bad%2Cname%3A50%25.yaml,line=3,col=18,title=dpctl invalidName::metadata.name: ")
            },
            "\(annotations)")
        #expect(annotations.contains { $0.contains("title=dpctl invalidValue::spec.format: \"cvs\" is not one of") }, "\(annotations)")
        // Not under Actions, and not in a document format: no annotations.
        let plain = try await dpctl(["validate", "-f", "odd dir"], cwd: folder)
        #expect(!plain.stdout.contains("::error"))
        let sarif = try await dpctl(["validate", "-f", "odd dir", "-o", "sarif"], cwd: folder, environment: ["GITHUB_ACTIONS": "true"])
        #expect(!sarif.stdout.contains("::error"), "a SARIF document stays one document")
    }

    @Test func anUnknownFormatIsAUsageErrorNamingTheFormats() async throws {
        let result = try await dpctl("validate", "-f", "examples/", "-o", "sarif2")
        #expect(result.status == 2)
        #expect(result.stderr.contains("sarif2") && result.stderr.contains("junit"), "\(result.stderr)")
    }
}
