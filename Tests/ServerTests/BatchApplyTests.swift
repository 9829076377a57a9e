import Foundation
import Manifests
import TestSupport
import Testing

/// `dpctl apply` over `POST /api/batch`: each level's creates and updates in one request (one
/// request id in the audit log), each object's own provenance, uploads alone; against a
/// gateway without the route (split mode), one request per object with the same results.
@Suite struct BatchApplyTests {
    @Test(arguments: ServerMode.allCases)
    func applySendsEachLevelAsABatch(mode: ServerMode) async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        try await withServer(mode: mode, environment: ["DATAPILOT_AUTO_EVALUATE": "false"]) { server in
            let apply = ["apply", "-f", examples.path, "-R", "--applyset", "examples", "--root", examples.path]
            let first = try await dpctl(apply, environment: server.env)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(lines(first.stdout) == Set(ApplyTests.exampleObjects.map { "\($0) created" }), "\(first.stdout)")

            let events = try await server.auditEvents("&action=create")
            func requests(_ kind: String) -> Set<String> {
                Set(
                    events.filter { $0["resource"]?.stringValue?.hasPrefix(kind + "/") == true }.compactMap {
                        $0["request_id"]?.stringValue
                    })
            }
            switch mode {
            case .single:
                #expect(requests("dataset").count == 1, "the three datasets in one batch")
                #expect(requests("qualityrule").count == 1, "the four rules in one batch")
                #expect(requests("run").count == 1)
            case .split:
                #expect(requests("dataset").count == 3, "no batch route behind a gateway: one request each")
            }
            // Each object's own manifest file, in a batch as alone.
            for event in events where event["resource"]?.stringValue?.hasPrefix("dataset/") == true {
                let name = event["resource"]?.stringValue?.dropFirst("dataset/".count) ?? ""
                #expect(event["source"]?["path"]?.stringValue == "datasets/\(name).yaml", "\(event)")
                #expect(event["source"]?["tool"] == "dpctl apply")
            }

            // A change to two rules: one batch of updates (If-Match), configured; the rest unchanged.
            try edit(examples.appendingPathComponent("quality/churn-hygiene.yaml"), "  severity: fail", "  severity: warn")
            try edit(examples.appendingPathComponent("quality/support-tickets.yaml"), "  severity: fail", "  severity: warn")
            let second = try await dpctl(apply, environment: server.env)
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            let changed = Set(second.stdout.split(separator: "\n").filter { !$0.hasSuffix(" unchanged") }.map(String.init))
            #expect(
                changed == ["qualityrule/churn-hygiene configured", "qualityrule/support-tickets-integrity configured"], "\(second.stdout)")
            let updates = try await server.auditEvents("&action=update")
            #expect(updates.count == 2, "\(updates)")
            if mode == .single { #expect(Set(updates.compactMap { $0["request_id"]?.stringValue }).count == 1) }
        }
    }

    /// One object of a batch the server refuses (a run that executes, applied by an editor): it
    /// fails with the server's reason, the rest of its batch is sent again and created, and
    /// what depends on the failed one is skipped, as with one request per object.
    @Test func aRefusedObjectFailsAloneAndTheRestIsApplied() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("batch-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = "apiVersion: \(ManifestKind.apiVersion)\n"
        var documents = ["\(header)kind: Dataset\nmetadata: {name: d}\nspec: {owner: a@example.com, format: csv}\n"]
        documents.append(
            "\(header)kind: Experiment\nmetadata: {name: e}\nspec: {datasets: [d], objective: {metric: auc, goal: maximize}}\n")
        for name in ["r-a", "r-b", "r-c"] {
            documents.append("\(header)kind: Run\nmetadata: {name: \(name)}\nspec: {experiment: e, description: fine}\n")
        }
        documents.append("\(header)kind: Run\nmetadata: {name: r-exec}\nspec: {experiment: e, execute: true, command: [\"true\"]}\n")
        try documents.joined(separator: "---\n").write(to: folder.appendingPathComponent("all.yaml"), atomically: true, encoding: .utf8)
        try await withServer { server in
            let editor = try await server.key(role: "editor")
            let environment = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": editor]
            let applied = try await dpctl(["apply", "-f", folder.path], environment: environment)
            #expect(applied.status == 1, "\(applied.stdout)\(applied.stderr)")
            let out = lines(applied.stdout)
            #expect(
                out.isSuperset(of: ["dataset/d created", "experiment/e created", "run/r-a created", "run/r-b created", "run/r-c created"]),
                "\(applied.stdout)")
            let failed = try #require(out.first { $0.hasPrefix("run/r-exec ") }, "\(applied.stdout)")
            #expect(failed.hasPrefix("run/r-exec failed: ") && failed.contains("needs the executor role"), "\(failed)")
            #expect(try await server.request("GET", "/api/runs/r-exec").status == 404)
            #expect(try await server.request("GET", "/api/runs/r-b").status == 200)
        }
    }
}
