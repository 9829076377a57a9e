import Curl
import Foundation
import Manifests
import TestSupport
import Testing

/// Issue 18, items 1 and 2 end to end: a commit adds a version whose data breaks its dataset's
/// rule; the reconciler applies it, the version is Quarantined, the source's health Degraded
/// (status, metrics, audit), a run reading it is refused, and the GitHub-status receiver gets
/// `failure` on that commit naming the version; a fix commit (the rule, corrected) re-decides
/// the version: Admitted, Healthy, `success`. `dpctl apply --wait` waits the same way.
@Suite struct GovernanceLoopTests {
    static let githubToken = "ghp_governance0123456789abcdef"

    static func rule(allowed: String, min: Int) -> String {
        """
        apiVersion: datapilot.io/v1alpha1
        kind: QualityRule
        metadata:
          name: churn-rows
        spec:
          dataset: churn
          severity: fail
          checks:
            - name: enough-rows
              rowCount: {min: \(min)}
            - name: known-plans
              allowedValues: {column: plan, values: [\(allowed)]}

        """
    }

    static func version(_ name: String) -> String {
        """
        apiVersion: datapilot.io/v1alpha1
        kind: DatasetVersion
        metadata:
          name: \(name)
        spec:
          dataset: churn
          source:
            path: ../data/\(name).csv

        """
    }

    static let dataset = """
        apiVersion: datapilot.io/v1alpha1
        kind: Dataset
        metadata:
          name: churn
        spec:
          format: csv
          owner: growth@example.com

        """

    @Test func aBadVersionIsQuarantinedTheSyncDegradedAndAFixHeals() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("governance-\(UUID().uuidString)")
        let content = folder.appendingPathComponent("content")
        try FileManager.default.createDirectory(at: content.appendingPathComponent("m"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: content.appendingPathComponent("data"), withIntermediateDirectories: true)
        func write(_ path: String, _ text: String, in root: URL) throws {
            try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        func write(_ path: String, _ text: String) throws { try write(path, text, in: content) }
        try write("m/dataset.yaml", Self.dataset)
        try write("m/rule.yaml", Self.rule(allowed: "free, pro", min: 3))
        try write("m/churn-1.yaml", Self.version("churn-1"))
        try write("data/churn-1.csv", "id,plan\n1,free\n2,pro\n3,free\n")
        let repository = try await TestRepository(copying: content)
        defer {
            repository.remove()
            try? FileManager.default.removeItem(at: folder)
        }
        let receivers = try await Receivers.start(in: folder.appendingPathComponent("receivers"), ["github"])
        defer { receivers.stop() }
        let token = folder.appendingPathComponent("github-token")
        try (Self.githubToken + "\n").write(to: token, atomically: true, encoding: .utf8)
        let sources = folder.appendingPathComponent("sources.yaml")
        try """
        sources:
          - name: data
            url: "\(repository.url)"
            path: examples
            interval: 1s
            resync: 1h
            prune: true
            notify:
              - {type: github, repository: acme/data, token-file: "\(token.path)", api-url: "\(receivers.url("github"))"}

        """.write(to: sources, atomically: true, encoding: .utf8)

        try await withServer { server in
            let reconciler = try await TestReconciler(server: server, arguments: ["--config", sources.path])
            do {
                try await Self.loop(repository, receivers, reconciler, server)
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    static func loop(_ repository: TestRepository, _ receivers: Receivers, _ reconciler: TestReconciler, _ server: TestServer) async throws
    {
        do {
            func write(_ path: String, _ text: String, in root: URL) throws {
                try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
            }
            func source() async -> JSONValue { await reconciler.source("data") ?? .null }
            func statuses(_ commit: String) -> [JSONValue] {
                receivers.requests("github").filter { $0["path"]?.stringValue == "/repos/acme/data/statuses/\(commit)" }
                    .compactMap { NotificationTests.json($0["body"]) }
            }

            // The first commit: applied, evaluated, admitted; Healthy, and GitHub says success.
            let first = try await repository.git("rev-parse", "HEAD")
            let reachedFirst = try await eventually(90) {
                let status = await source()
                return status["lastAppliedCommit"]?.stringValue == first && status["health"] == "Healthy"
            }
            let seenFirst = await source()
            #expect(reachedFirst, "\(seenFirst)\n\(reconciler.logText)")
            #expect(try await eventually(30) { statuses(first).last?["state"] == "success" }, "\(statuses(first))")

            // A bad version merged anyway.
            let tree = repository.file("examples")
            try write("m/churn-2.yaml", Self.version("churn-2"), in: tree)
            try write("data/churn-2.csv", "id,plan\n1,free\n2,gold\n", in: tree)
            let bad = try await repository.commit("Add churn-2")
            let reachedBad = try await eventually(90) {
                let status = await source()
                return status["lastAppliedCommit"]?.stringValue == bad && status["health"] == "Degraded"
            }
            let seenBad = await source()
            #expect(reachedBad, "\(seenBad)\n\(reconciler.logText)")
            let message = await source()["healthMessage"]?.stringValue ?? ""
            #expect(message.contains("datasetversion/churn-2 is Quarantined") && message.contains("known-plans"), "\(message)")
            let version = try await server.request("GET", "/api/datasets/churn/versions/churn-2").json
            #expect(version["status"]?["admission"]?["state"] == "Quarantined", "\(version)")
            #expect(
                try await eventually(30) { statuses(bad).last?["state"] == "failure" }, "\(receivers.requests("github"))")
            let description = statuses(bad).last?["description"]?.stringValue ?? ""
            #expect(description.contains("churn-2") && description.contains("Quarantined"), "\(description)")
            // A run reading it is refused.
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let refused = try await server.request("POST", "/api/runs", json: run("r-2", experiment: "churn-model", inputs: ["churn-2"]))
            #expect(refused.status == 409 && refused.text.contains("churn-2"), "\(refused.text)")
            // dpctl status, the metrics and the audit event say so.
            let status = try await dpctl(["status", "--reconciler", reconciler.baseURL], environment: [:])
            #expect(status.stdout.contains("Degraded") && status.stderr.contains("churn-2"), "\(status.stdout)\n\(status.stderr)")
            let list = try await dpctl(["source", "list", "--reconciler", reconciler.baseURL], environment: [:])
            #expect(list.stdout.contains("HEALTH") && list.stdout.contains("Degraded"), "\(list.stdout)\n\(list.stderr)")
            let history = try await dpctl(
                ["source", "history", "data", "--reconciler", reconciler.baseURL, "-o", "json"], environment: [:])
            #expect(
                history.stdout.contains(#""health" : "Degraded""#) || history.stdout.contains(#""health": "Degraded""#), "\(history.stdout)"
            )
            let metrics = try await dpctlQueue.run {
                try Transfer().perform(
                    HTTPRequest(method: "GET", url: reconciler.baseURL + "/metrics", headers: [], body: .none, timeoutSeconds: 10))
            }.text
            #expect(metrics.contains(#"datapilot_source_health{source="data",health="Degraded"} 1"#), "\(metrics)")
            let events =
                try await server.request("GET", "/api/audit/events?resource=source/data&page_size=100").json["items"]?.arrayValue ?? []
            let synced = events.last { $0["source"]?["commit"]?.stringValue == bad }
            #expect(synced?.jsonString().contains("\"health\"") == true, "\(events)")

            // The fix: the rule learns the new plan; churn-2 is re-decided, Admitted, Healthy, success.
            try write("m/rule.yaml", Self.rule(allowed: "free, pro, gold", min: 2), in: tree)
            let fix = try await repository.commit("churn-rows: gold is a plan now")
            let reachedFix = try await eventually(90) {
                let status = await source()
                return status["lastAppliedCommit"]?.stringValue == fix && status["health"] == "Healthy"
            }
            let seenFix = await source()
            #expect(reachedFix, "\(seenFix)\n\(reconciler.logText)")
            let fixed = try await server.request("GET", "/api/datasets/churn/versions/churn-2").json
            #expect(fixed["status"]?["admission"]?["state"] == "Admitted", "\(fixed)")
            #expect(try await eventually(30) { statuses(fix).last?["state"] == "success" }, "\(statuses(fix))")
        }
    }

    @Test func applyWaitsForHealthAndTheHealthRoutesRefuseBadInput() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apply-wait-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("m"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ path: String, _ text: String) throws {
            try text.write(to: folder.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        try write("m/dataset.yaml", Self.dataset)
        try write("m/rule.yaml", Self.rule(allowed: "free, pro", min: 3))
        try write("m/churn-1.yaml", Self.version("churn-1"))
        try write("data/churn-1.csv", "id,plan\n1,free\n2,pro\n3,free\n")
        try await withServer { server in
            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]
            let manifests = folder.appendingPathComponent("m").path
            let good = try await dpctl(["apply", "-f", manifests, "--root", folder.path, "--wait=60s"], environment: env)
            #expect(good.status == 0 && good.stdout.contains("health: Healthy (3 objects)"), "\(good.stdout)\n\(good.stderr)")
            #expect(
                try await server.request("GET", "/api/datasets/churn/versions/churn-1").json["status"]?["admission"]?["state"] == "Admitted"
            )

            try write("m/churn-2.yaml", Self.version("churn-2"))
            try write("data/churn-2.csv", "id,plan\n1,free\n2,gold\n")
            let bad = try await dpctl(["apply", "-f", manifests, "--root", folder.path, "--wait", "-o", "json"], environment: env)
            #expect(bad.status == 1, "\(bad.stdout)\n\(bad.stderr)")
            let answer = JSONText.parse(bad.stdout)
            let health = (try? answer.get())?["health"]
            #expect(
                health?["health"] == "Degraded" && health?["objects"]?.arrayValue?.first?["object"] == "datasetversion/churn-2",
                "\(bad.stdout)")
            #expect((try? answer.get())?["summary"]?["created"] == 1, "\(bad.stdout)")

            let usage: [(arguments: [String], says: String)] = [
                (["apply", "-f", manifests, "--wait=forever"], "--wait=forever: give a duration"),
                (["apply", "-f", manifests, "--wait=0s"], "from 1s to 24h"),
                (["apply", "-f", manifests, "--wait-timeout", "5s"], "--wait-timeout goes with --wait"),
                (["apply", "-f", manifests, "--wait", "--dry-run", "server"], "does not go with --dry-run"),
            ]
            for (arguments, says) in usage {
                let refused = try await dpctl(arguments, environment: env)
                #expect(refused.status == 2 && refused.stderr.contains(says), "\(arguments): \(refused.stderr)")
            }

            // The routes behind it: viewers may read; bad bodies are named.
            let viewer = try await server.key(role: "viewer")
            let report = try await server.request(
                "POST", "/api/health", json: #"{"objects": ["datasetversion/churn-2", "dataset/nope"]}"#, key: viewer)
            #expect(report.status == 200 && report.json["health"] == "Degraded", "\(report.text)")
            let objects = report.json["objects"]?.arrayValue?.compactMap { $0["object"]?.stringValue } ?? []
            #expect(Set(objects) == ["datasetversion/churn-2", "dataset/nope"], "\(report.text)")
            let many = "[" + (0...HealthRequestLimit.max).map { #""dataset/d\#($0)""# }.joined(separator: ",") + "]"
            let cases: [(body: String, status: Int, says: String)] = [
                (#"{}"#, 422, "objects"),
                (#"{"objects": []}"#, 422, "objects: a list of 1 to"),
                (#"{"objects": ["churn"]}"#, 422, "objects[0]: kind/name"),
                (#"{"objects": ["table/churn"]}"#, 422, "objects[0]"),
                (#"{"objects": "dataset/churn"}"#, 422, "objects"),
                (#"{"objects": \#(many)}"#, 422, "objects: a list of 1 to 10000"),
                ("not json", 400, ""),
            ]
            for (body, status, says) in cases {
                let response = try await server.request("POST", "/api/health", json: body, key: viewer)
                #expect(response.status == status && (says.isEmpty || response.text.contains(says)), "\(body.prefix(80)): \(response.text)")
            }
            #expect(try await server.request("POST", "/api/health", json: #"{"objects": ["dataset/churn"]}"#, key: nil).status == 401)
            let missing = try await server.request("GET", "/api/applysets/none/health", key: viewer)
            #expect(missing.status == 404 && missing.json["detail"] == #"ApplySet "none" does not exist"#, "\(missing.text)")
        }
    }
}

/// `HealthRequest.maxObjects`, as the test spells the limit (the test target does not import APIModel).
enum HealthRequestLimit {
    static let max = 10_000
}
