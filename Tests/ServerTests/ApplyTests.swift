import Foundation
import Manifests
import TestSupport
import Testing

/// A copy of the repository's examples/ in a folder of its own, to edit freely.
func examplesCopy() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("examples-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("examples"), to: folder)
    return folder
}

func edit(_ file: URL, _ old: String, _ new: String) throws {
    let text = try String(contentsOf: file, encoding: .utf8)
    precondition(text.contains(old), "\(file.lastPathComponent) does not contain \(old)")
    try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
}

extension TestServer {
    /// Every audit event, oldest first.
    func auditEvents(_ query: String = "") async throws -> [JSONValue] {
        var events: [JSONValue] = []
        var token: String?
        repeat {
            let response = try await request("GET", "/api/audit/events?page_size=1000" + query + (token.map { "&page_token=\($0)" } ?? ""))
            // A failed page must not pass for the end of the log.
            #expect(response.status == 200, "a page of the audit log: \(response.status) \(response.text)")
            let page = response.json
            events += page["items"]?.arrayValue ?? []
            token = page["next_page_token"]?.stringValue
        } while token != nil
        return events
    }

    var env: [String: String] { ["DATAPILOT_SERVER": baseURL, "DATAPILOT_TOKEN": TestServer.adminKey] }
}

/// The lines of apply's text output as a set, ignoring order within a level.
func lines(_ text: String) -> Set<String> { Set(text.split(separator: "\n").map(String.init)) }

@Suite struct ApplyTests {
    static let exampleObjects = [
        "dataset/churn", "dataset/product-events", "dataset/support-tickets",
        "datasetversion/churn-2026-09", "datasetversion/churn-2026-10", "datasetversion/product-events-2026-10",
        "datasetversion/support-tickets-2026-10", "qualityrule/churn-contact", "qualityrule/churn-hygiene",
        "qualityrule/support-tickets-integrity", "qualityrule/support-tickets-survey", "experiment/churn-baselines",
        "run/churn-baselines-gbm", "run/churn-baselines-logreg",
    ]

    @Test(arguments: ServerMode.allCases)
    func applyExamplesThenReapplyChangePrune(mode: ServerMode) async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        // No automatic evaluation: its audit events for the new versions would land at any time.
        try await withServer(mode: mode, environment: ["DATAPILOT_AUTO_EVALUATE": "false"]) { server in
            let apply = ["apply", "-f", examples.path, "-R", "--applyset", "examples", "--root", examples.path]

            // First apply: everything created, in dependency order.
            let first = try await dpctl(apply, environment: server.env)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            let created = first.stdout.split(separator: "\n").map(String.init)
            #expect(Set(created) == Set(Self.exampleObjects.map { "\($0) created" }), "\(first.stdout)")
            #expect(created.firstIndex(of: "dataset/churn created")! < created.firstIndex(of: "datasetversion/churn-2026-09 created")!)
            #expect(
                created.firstIndex(of: "experiment/churn-baselines created")! < created.firstIndex(of: "run/churn-baselines-gbm created")!)
            let afterFirst = try await server.auditEvents()

            // Again: all unchanged, zero writes.
            let second = try await dpctl(apply, environment: server.env)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(lines(second.stdout) == Set(Self.exampleObjects.map { "\($0) unchanged" }))
            #expect(try await server.auditEvents().count == afterFirst.count)

            // The inventory holds exactly what was applied.
            let applyset = try await server.request("GET", "/api/applysets/examples").json
            #expect(Set(applyset["members"]?.arrayValue?.compactMap(\.stringValue) ?? []) == Set(Self.exampleObjects))

            // One field changed: one object configured; the audit event has the diff and the source.
            try edit(
                examples.appendingPathComponent("datasets/churn.yaml"), "owner: growth-analytics@example.com",
                "owner: churn-team@example.com")
            let third = try await dpctl(apply, environment: server.env)
            #expect(third.status == 0, "\(third.stderr)")
            #expect(third.stdout.split(separator: "\n").filter { !$0.hasSuffix(" unchanged") } == ["dataset/churn configured"])
            let update = try #require(try await server.auditEvents("&resource=dataset/churn&action=update").last)
            #expect(
                update["diff"]?.arrayValue?.contains { $0["path"] == "/spec/owner" && $0["new"] == "churn-team@example.com" } == true,
                "\(update)")
            #expect(update["source"]?["tool"] == "dpctl apply")
            #expect(update["source"]?["path"] == "datasets/churn.yaml")
            #expect(update["source"]?["author"]?.stringValue?.contains("@") == true)

            // A manifest removed and prune: the rule it held is deleted, nothing else.
            try FileManager.default.removeItem(at: examples.appendingPathComponent("quality/churn-hygiene.yaml"))
            let withoutPrune = try await dpctl(apply, environment: server.env)
            #expect(withoutPrune.status == 0)
            #expect(try await server.request("GET", "/api/qualityrules/churn-hygiene").status == 200)
            let pruned = try await dpctl(apply + ["--prune"], environment: server.env)
            #expect(pruned.status == 0, "\(pruned.stderr)")
            #expect(pruned.stdout.split(separator: "\n").filter { !$0.hasSuffix(" unchanged") } == ["qualityrule/churn-hygiene pruned"])
            #expect(try await server.request("GET", "/api/qualityrules/churn-hygiene").status == 404)
            let members =
                try await server.request("GET", "/api/applysets/examples").json["members"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!members.contains("qualityrule/churn-hygiene") && members.count == Self.exampleObjects.count - 1)
        }
    }

    @Test func pruneGuardsAndProtectedObjects() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ names: [String], protected: Set<String> = []) throws {
            let text = names.map { name in
                """
                apiVersion: datapilot.io/v1alpha1
                kind: Dataset
                metadata:
                  name: \(name)
                  annotations: {datapilot.io/protected: "\(protected.contains(name))"}
                spec: {format: csv, owner: team@example.com}

                """
            }.joined(separator: "---\n")
            try text.write(to: folder.appendingPathComponent("datasets.yaml"), atomically: true, encoding: .utf8)
        }
        try await withServer { server in
            let apply = ["apply", "-f", folder.appendingPathComponent("datasets.yaml").path, "--applyset", "guarded", "--prune"]
            try write(["a", "b", "c", "d"], protected: ["b"])
            #expect(try await dpctl(apply, environment: server.env).status == 0)

            // An empty set never prunes.
            let empty = try await dpctl(
                ["apply", "-f", folder.appendingPathComponent("empty").path, "--applyset", "guarded", "--prune"], environment: server.env)
            #expect(empty.status == 1)
            #expect(empty.stderr.contains("refusing to prune from an empty set"), "\(empty.stderr)")

            // Over the threshold: refused before anything is written.
            try write(["d", "e"], protected: ["b"])
            let events = try await server.auditEvents().count
            let over = try await dpctl(apply + ["--max-deletes", "1"], environment: server.env)
            #expect(over.status == 1)
            #expect(over.stderr.contains("refusing to prune 2 objects") && over.stderr.contains("--max-deletes 2"), "\(over.stderr)")
            #expect(try await server.auditEvents().count == events)
            #expect(try await server.request("GET", "/api/datasets/e").status == 404)

            // Within it: a and c pruned, the protected b kept and reported, e created.
            let within = try await dpctl(apply, environment: server.env)
            #expect(within.status == 1)
            #expect(
                lines(within.stdout).isSuperset(of: ["dataset/a pruned", "dataset/c pruned", "dataset/e created", "dataset/d unchanged"]),
                "\(within.stdout)")
            #expect(within.stdout.contains("dataset/b refused: not pruned: it is annotated datapilot.io/protected=true"))
            #expect(try await server.request("GET", "/api/datasets/b").status == 200)
            #expect(try await server.request("GET", "/api/datasets/a").status == 404)
        }
    }

    @Test func anImmutableVersionChangeIsRefusedAndNothingElseMoves() async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        // No automatic evaluation: its audit event for the first apply's versions may land at any time.
        try await withServer(environment: ["DATAPILOT_AUTO_EVALUATE": "false"]) { server in
            let apply = ["apply", "-f", examples.path, "-R", "--root", examples.path]
            #expect(try await dpctl(apply, environment: server.env).status == 0)
            let before = try await server.auditEvents()
            let data = examples.appendingPathComponent("data/churn-2026-09.csv")
            try (try String(contentsOf: data, encoding: .utf8) + "9999,edited,row\n").write(to: data, atomically: true, encoding: .utf8)

            let changed = try await dpctl(apply, environment: server.env)
            #expect(changed.status == 1)
            let line = try #require(changed.stdout.split(separator: "\n").first { $0.hasPrefix("datasetversion/churn-2026-09 ") })
            #expect(line.contains("refused") && line.contains("create a new version with a new name"), "\(line)")
            #expect(changed.stderr.contains("not applied"))
            let after = try await server.auditEvents()
            #expect(
                after.count == before.count,
                "\(after.dropFirst(before.count).map { "\($0["action"]?.stringValue ?? "") \($0["resource"]?.stringValue ?? "")" })")
            let diff = try await dpctl(["diff", "-f", examples.path, "-R", "--root", examples.path], environment: server.env)
            #expect(diff.status == 1)
            #expect(diff.stdout.contains("live/datasetversion/churn-2026-09") && diff.stdout.contains("sha256"))
        }
    }

    @Test func serverDryRunWritesNothing() async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        try await withServer { server in
            let apply = ["apply", "-f", examples.path, "-R", "--root", examples.path, "--applyset", "dry"]
            let client = try await dpctl(apply + ["--dry-run", "client"], environment: server.env)
            #expect(client.status == 0)
            #expect(lines(client.stdout) == Set(Self.exampleObjects.map { "\($0) created (dry run)" }))
            // Datasets alone: versions, rules and runs need them to exist even in a server dry run.
            let datasets = ["apply", "-f", examples.appendingPathComponent("datasets").path, "--applyset", "dry"]
            let server1 = try await dpctl(datasets + ["--dry-run", "server", "-o", "json"], environment: server.env)
            #expect(server1.status == 0, "\(server1.stderr)")
            guard case .success(let report) = JSONText.parse(server1.stdout) else {
                Issue.record("not JSON: \(server1.stdout)")
                return
            }
            #expect(report["summary"]?["created"] == 3)
            #expect(report["dryRun"] == "server")
            #expect(try await server.auditEvents().isEmpty)
            #expect(try await server.request("GET", "/api/datasets").json["items"]?.arrayValue?.isEmpty == true)
            #expect(try await server.request("GET", "/api/applysets/dry").status == 404)
        }
    }

    @Test func diffExitCodes() async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        try await withServer { server in
            let diff = ["diff", "-f", examples.path, "-R", "--root", examples.path]
            let before = try await dpctl(diff, environment: server.env)
            #expect(before.status == 1)
            #expect(before.stdout.contains("+++ desired/dataset/churn") && before.stdout.contains("+  name: churn"), "\(before.stdout)")
            #expect(try await dpctl(["apply"] + diff.dropFirst(), environment: server.env).status == 0)
            let same = try await dpctl(diff, environment: server.env)
            #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
            #expect(same.stdout.isEmpty)

            try edit(
                examples.appendingPathComponent("datasets/churn.yaml"), "owner: growth-analytics@example.com",
                "owner: churn-team@example.com")
            let changed = try await dpctl(diff, environment: server.env)
            #expect(changed.status == 1)
            #expect(
                changed.stdout.contains("-  owner: growth-analytics@example.com\n+  owner: churn-team@example.com"), "\(changed.stdout)")
            #expect(!changed.stdout.contains("resourceVersion") && !changed.stdout.contains("uid"))

            let unreachable = try await dpctl(diff, environment: ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "x"])
            #expect(unreachable.status == 2)
            #expect(unreachable.stderr.contains("cannot reach the DataPilot server"))
            try "kind: Nope\n".write(to: examples.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
            let invalid = try await dpctl(diff, environment: server.env)
            #expect(invalid.status == 2)
            #expect(invalid.stderr.contains("bad.yaml:1:"))
        }
    }

    @Test func deleteByManifestAndByName() async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        try await withServer { server in
            #expect(try await dpctl(["apply", "-f", examples.path, "-R", "--root", examples.path], environment: server.env).status == 0)
            let runs = try await dpctl(
                ["delete", "-f", examples.appendingPathComponent("experiments/runs.yaml").path], environment: server.env)
            #expect(runs.status == 0, "\(runs.stderr)")
            #expect(lines(runs.stdout) == ["run/churn-baselines-gbm deleted", "run/churn-baselines-logreg deleted"])
            let rule = try await dpctl(["delete", "qr", "churn-hygiene", "--dry-run", "server"], environment: server.env)
            #expect(rule.stdout == "qualityrule/churn-hygiene deleted (server dry run)\n", "\(rule.stderr)")
            #expect(try await server.request("GET", "/api/qualityrules/churn-hygiene").status == 200)
            let missing = try await dpctl(["delete", "dataset", "nope"], environment: server.env)
            #expect(missing.status == 1 && missing.stdout.contains("dataset/nope failed: not found"))
            #expect(try await dpctl(["delete", "dataset", "nope", "--ignore-not-found"], environment: server.env).status == 0)
            let version = try await dpctl(["delete", "dsv", "churn-2026-09"], environment: server.env)
            #expect(version.status == 1 && version.stdout.contains("immutable"))
            // A dataset that still has versions cannot go; the server says why.
            let dataset = try await dpctl(["delete", "dataset", "churn"], environment: server.env)
            #expect(dataset.status == 1)
            #expect(dataset.stdout.contains("dataset/churn failed"))
        }
    }

    @Test func unreachableServerAndBadToken() async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        let apply = ["apply", "-f", examples.path, "-R", "--root", examples.path]
        let down = try await dpctl(apply, environment: ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "x"])
        #expect(down.status == 1)
        #expect(down.stderr.contains("cannot reach the DataPilot server at http://127.0.0.1:1"))
        try await withServer { server in
            let bad = try await dpctl(apply, environment: ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": "not-a-valid-token"])
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("check the token"), "\(bad.stderr)")
            #expect(try await server.auditEvents().isEmpty)
        }
    }
}
