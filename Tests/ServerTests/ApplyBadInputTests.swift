import Foundation
import Testing

/// dpctl's reconcile commands given bad input: each a usage error (2) or a refusal (1) whose
/// message names the problem, before anything reaches a server (there is none here).
@Suite struct ApplyBadInputTests {
    static let cases: [(arguments: [String], status: Int32, message: String)] = [
        (["apply"], 2, "no manifests given"),
        (["apply", "-f", "x.yaml", "--prune"], 2, "--prune needs --applyset"),
        (["apply", "-f", "x.yaml", "--applyset", "Bad_Name"], 2, "--applyset \"Bad_Name\""),
        (["apply", "-f", "x.yaml", "--max-deletes=-1"], 2, "--max-deletes must be 0 or more"),
        (["apply", "-f", "x.yaml", "--concurrency", "0"], 2, "--concurrency must be between 1 and 64"),
        (["apply", "-f", "x.yaml", "--dry-run", "maybe"], 2, "maybe"),
        (["apply", "-f", "-", "-f", "-"], 2, "standard input) can be given only once"),
        (["apply", "-f", "/nonexistent/manifests"], 1, "/nonexistent/manifests"),
        (["diff"], 2, "no manifests given"),
        (["diff", "-f", "x.yaml", "--prune"], 2, "--prune needs --applyset"),
        (["delete"], 2, "name what to delete"),
        (["delete", "-f", "x.yaml", "dataset", "a"], 2, "not both"),
        (["delete", "datsets", "a"], 2, "did you mean \"datasets\""),
        (["delete", "dataset"], 2, "name the dataset to delete"),
        (["completion", "tcsh"], 2, "tcsh"),
    ]

    @Test(arguments: cases.indices)
    func badInput(index: Int) async throws {
        let (arguments, status, message) = Self.cases[index]
        let result = try await dpctl(arguments, environment: ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "x"])
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("cannot reach"), "\(arguments) went to the server")
    }

    @Test func anInvalidManifestNamesItsLineAndSendsNothing() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: Bad_Name}\nspec: {format: csv}\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try await dpctl(
            ["apply", "-f", file.path], environment: ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "x"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(file.path):3:"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was sent to the server"))
    }

    @Test func completionScripts() async throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try await dpctl(["completion", shell], environment: [:])
            #expect(result.status == 0)
            #expect(result.stdout.contains("apply") && result.stdout.contains("applyset"), "\(shell)")
        }
    }
}
