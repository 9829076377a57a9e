import Crypto
import Curl
import Foundation
import Manifests
import TestSupport
import Testing

/// A git work tree made with the git CLI, committed to and served over file://.
struct TestRepository {
    let folder: URL

    init(copying examples: URL) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("repo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: examples, to: folder.appendingPathComponent("examples"))
        try await git("init", "-q", "-b", "main")
        try await commit("Add the examples")
    }

    /// A repository holding a copy of the project's examples/, removed by `remove()`.
    static func examples() async throws -> TestRepository {
        try await TestRepository(copying: repositoryRoot.appendingPathComponent("examples"))
    }

    var url: String { "file://" + folder.path }

    @discardableResult
    func git(_ arguments: String...) async throws -> String { try await GitCLI.run(arguments, in: folder.path) }

    /// Commits everything; returns the new commit id.
    @discardableResult
    func commit(_ message: String) async throws -> String {
        try await git("add", "-A")
        try await git("commit", "-q", "-m", message)
        return try await git("rev-parse", "HEAD")
    }

    func file(_ path: String) -> URL { folder.appendingPathComponent(path) }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// `dpctl reconcile` running in the background against a test server, on a port of its own.
final class TestReconciler: Sendable {
    let process: Process
    let port: Int
    let log: URL
    /// The address it listens on (another than loopback: it runs in a network namespace).
    let host: String

    /// Starts the reconciler and waits until it listens. A free port can be taken by another
    /// process before the reconciler binds it (tests run in parallel): then it starts again on another.
    /// `launcher` runs it (`ip netns exec NAME`), listening on `host`, with `databaseURL` when given.
    init(
        server: TestServer, arguments: [String], environment: [String: String] = [:], host: String = "127.0.0.1",
        launcher: [String] = [], databaseURL: String? = nil
    ) async throws {
        self.host = host
        log = FileManager.default.temporaryDirectory.appendingPathComponent("reconciler-\(UUID().uuidString).log")
        var attempt = 0
        while true {
            attempt += 1
            let port = try Loopback.freePort()
            let process = try Self.launch(
                server: server, arguments: arguments, port: port, log: log, environment: environment, host: host, launcher: launcher,
                databaseURL: databaseURL)
            let deadline = ContinuousClock.now + .seconds(30)
            // Its own log line first: another test's process may answer /healthz on a port it lost.
            let logFile = log
            func listening() -> Bool { ((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").contains("dpctl reconcile listening") }
            while process.isRunning, ContinuousClock.now < deadline {
                if listening(), await TestServer.healthy(host: host, port: port) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if !process.isRunning, text.contains("Address already in use"), attempt < 5 { continue }
            (self.process, self.port) = (process, port)
            return
        }
    }

    static func launch(
        server: TestServer, arguments: [String], port: Int, log: URL, environment: [String: String] = [:], host: String = "127.0.0.1",
        launcher: [String] = [], databaseURL: String? = nil
    ) throws -> Process {
        try Data().write(to: log)
        let output = try FileHandle(forWritingTo: log)
        let dpctl = try Products.path("dpctl")
        // Through the signal-mask-clearing wrapper, as the server, so SIGTERM reaches it.
        return try Subprocess.start(
            launcher.first ?? dpctl,
            launcher.dropFirst() + (launcher.isEmpty ? [] : [dpctl]) + [
                "reconcile", "--database-url", databaseURL ?? server.databaseURL, "--listen", "\(host):\(port)",
                "--cache-dir", log.deletingPathExtension().path + "-cache",
            ] + arguments,
            environment: server.env.merging(["DATAPILOT_CONFIG": log.deletingPathExtension().path + "-config.yaml"]) { $1 }
                .merging(environment) { $1 },
            clearingSignalMask: true, stdout: output, stderr: output)
    }

    var baseURL: String { "http://\(host):\(port)" }

    func status() async throws -> JSONValue {
        let request = HTTPRequest(method: "GET", url: baseURL + "/status", headers: [], body: .none, timeoutSeconds: 10)
        let response = try await dpctlQueue.run { try Transfer().perform(request) }
        return response.json
    }

    func source(_ name: String) async -> JSONValue? {
        (try? await status())?["sources"]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    func post(_ path: String, body: [UInt8], headers: [(String, String)]) async throws -> HTTPResponse {
        let request = HTTPRequest(method: "POST", url: baseURL + path, headers: headers, body: .bytes(body), timeoutSeconds: 10)
        return try await dpctlQueue.run { try Transfer().perform(request) }
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    func stop() async {
        kill()
        _ = try? await dpctlQueue.run { self.process.waitUntilExit() }
        try? FileManager.default.removeItem(at: log)
        try? FileManager.default.removeItem(atPath: log.deletingPathExtension().path + "-cache")
    }
}

/// Runs `body`, then stops `reconcilers`, whether it threw or not.
func stopping(_ reconcilers: TestReconciler..., body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        for reconciler in reconcilers { await reconciler.stop() }
        throw error
    }
    for reconciler in reconcilers { await reconciler.stop() }
}

/// Polls `condition` every 100 ms for up to `seconds`.
func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

@Suite struct ReconcilerTests {
    static let secret = "hook-secret-0123456789"

    @Test func aRepositoryIsReconciledAndFollowsItsCommits() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let secretFile = repository.folder.appendingPathComponent(".git/hook-secret")
        try Self.secret.write(to: secretFile, atomically: true, encoding: .utf8)
        try await withServer { server in
            // Polls rarely: the changes below arrive through webhooks.
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h", "--prune",
                    "--webhook-secret-file", secretFile.path,
                ])
            do {
                let first = try await repository.git("rev-parse", "HEAD")
                let synced = try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first }
                #expect(synced, "first sync did not converge:\n\(reconciler.logText)")
                let datasets = try await server.request("GET", "/api/datasets").json["items"]?.arrayValue?.count
                #expect(datasets == 3)
                #expect(await reconciler.source("examples")?["counts"]?["created"] == 14)

                // A commit changing one field, announced by a signed webhook.
                try edit(
                    repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn-team@example.com")
                let second = try await repository.commit("Hand churn to its own team")
                let hook = try await Self.signedHook(reconciler, body: #"{"ref": "refs/heads/main"}"#)
                #expect(hook.status == 202, "\(hook.text)")
                let followed = try await eventually(30) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == second }
                #expect(followed, "\(reconciler.logText)")
                let status = await reconciler.source("examples")
                // Incremental: only the objects of the file the commit touched are planned (its one dataset).
                #expect(status?["counts"]?["configured"] == 1 && status?["counts"]?["unchanged"] == nil, "\(status ?? .null)")
                let update = try #require(try await server.auditEvents("&resource=dataset/churn&action=update").last)
                #expect(update["source"]?["commit"]?.stringValue == second)
                #expect(update["source"]?["author"] == "Ada Lovelace <ada@example.com>")
                #expect(update["source"]?["tool"] == "dpctl reconcile")
                let sync = try #require(try await server.auditEvents("&action=sync").last)
                #expect(sync["resource"] == "source/examples")
                #expect(sync["source"]?["commit"]?.stringValue == second)
                let lineage = try await server.request("GET", "/api/lineage/graph?node=commit/\(second)&direction=downstream").json
                #expect(lineage.jsonString().contains("dataset/churn") || lineage.jsonString().contains("\"churn\""), "\(lineage)")

                // An invalid commit: nothing applied, the last good commit stays, the error names file:line.
                try edit(repository.file("examples/datasets/churn.yaml"), "format: csv", "format: xlsx")
                let bad = try await repository.commit("An unknown format")
                #expect(try await Self.signedHook(reconciler, body: "{}").status == 202)
                let reported = try await eventually(30) { await reconciler.source("examples")?["lastAttemptedCommit"]?.stringValue == bad }
                #expect(reported)
                let invalid = await reconciler.source("examples")
                #expect(invalid?["result"] == "invalid")
                #expect(invalid?["lastAppliedCommit"]?.stringValue == second)
                #expect(invalid?["error"]?.stringValue?.contains("examples/datasets/churn.yaml:") == true, "\(invalid ?? .null)")
                #expect(try await server.request("GET", "/api/datasets/churn").json["spec"]?["format"] == "csv")

                // Fixed by the next commit, which also drops a rule: pruned.
                try await repository.git("revert", "--no-edit", "HEAD")
                try FileManager.default.removeItem(at: repository.file("examples/quality/churn-hygiene.yaml"))
                let fixed = try await repository.commit("Drop the hygiene rule")
                #expect(try await Self.signedHook(reconciler, body: "{}").status == 202)
                #expect(
                    try await eventually(30) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == fixed },
                    "\(reconciler.logText)")
                #expect(try await server.request("GET", "/api/qualityrules/churn-hygiene").status == 404)
                let history = await reconciler.source("examples")?["history"]?.arrayValue?.compactMap { $0["result"]?.stringValue }
                #expect(history?.prefix(4) == ["synced", "invalid", "synced", "synced"], "\(history ?? [])")

                // Forged, replayed and unsigned hooks are refused and counted.
                let body = Array(#"{"x": 1}"#.utf8)
                let forged = try await reconciler.post(
                    "/hooks/examples", body: body, headers: [("X-Hub-Signature-256", "sha256=" + String(repeating: "0", count: 64))])
                #expect(forged.status == 401)
                let mac = Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(Self.secret.utf8))))
                let github = [("X-Hub-Signature-256", "sha256=" + mac), ("X-GitHub-Delivery", "delivery-1")]
                #expect(try await reconciler.post("/hooks/examples", body: body, headers: github).status == 202)
                #expect(try await reconciler.post("/hooks/examples", body: body, headers: github).status == 409)
                #expect(try await reconciler.post("/hooks/examples", body: body, headers: [("X-Gitlab-Token", "wrong")]).status == 401)
                #expect(try await reconciler.post("/hooks/examples", body: body, headers: [("X-Gitlab-Token", Self.secret)]).status == 202)
                #expect(try await reconciler.post("/hooks/unknown", body: body, headers: github).status == 404)
                #expect(
                    try await reconciler.post("/hooks/examples", body: Array(repeating: 32, count: 2 << 20), headers: github).status == 413)
                let metrics = try await dpctlQueue.run {
                    try Transfer().perform(
                        HTTPRequest(method: "GET", url: reconciler.baseURL + "/metrics", headers: [], body: .none, timeoutSeconds: 10))
                }
                let text = String(decoding: metrics.body, as: UTF8.self)
                for family in [
                    "datapilot_reconcile_duration_seconds", "datapilot_source_last_applied_info", "datapilot_reconcile_resources",
                    "datapilot_webhook_requests_total{outcome=\"forged\"}", "datapilot_webhook_requests_total{outcome=\"replayed\"}",
                    "datapilot_sync_errors_total",
                ] {
                    #expect(text.contains(family), "\(family) missing")
                }

                // dpctl status shows it.
                let shown = try await dpctl(["status", "--reconciler", reconciler.baseURL], environment: [:])
                #expect(shown.status == 0)
                #expect(shown.stdout.contains("examples") && shown.stdout.contains(String(fixed.prefix(12))), "\(shown.stdout)")

                // SIGTERM: the reconciler exits cleanly.
                reconciler.kill(SIGTERM)
                _ = try? await dpctlQueue.run { reconciler.process.waitUntilExit() }
                #expect(reconciler.process.terminationStatus == 0, "\(reconciler.logText)")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    static func signedHook(_ reconciler: TestReconciler, body: String) async throws -> HTTPResponse {
        // A delivery of its own each time: the same body signed in the same second is a replay.
        let body = #"{"delivery": "\#(UUID().uuidString)", "payload": \#(body)}"#
        let stamp = String(Int(Date().timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Array((stamp + "." + body).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return try await reconciler.post(
            "/hooks/examples", body: Array(body.utf8),
            headers: [
                ("X-DataPilot-Timestamp", stamp), ("X-DataPilot-Signature", "sha256=" + Hex.encode(mac)),
                ("Content-Type", "application/json"),
            ])
    }

    @Test func twoReplicasSplitTheSourcesAndTakeOver() async throws {
        let one = try await TestRepository.examples()
        let two = try await TestRepository.examples()
        defer {
            one.remove()
            two.remove()
        }
        // Two sources whose objects do not collide: one holds the datasets, the other the rest.
        try FileManager.default.removeItem(at: two.file("examples/datasets"))
        try await two.commit("Only what depends on the datasets")
        for folder in ["versions", "quality", "experiments"] { try FileManager.default.removeItem(at: one.file("examples/\(folder)")) }
        try await one.commit("Only the datasets")
        try await withServer { server in
            let config = one.folder.appendingPathComponent(".git/sources.yaml")
            try """
            sources:
              - {name: datasets, url: "\(one.url)", ref: refs/heads/main, path: examples, interval: 1s}
              - {name: dependants, url: "\(two.url)", ref: refs/heads/main, path: examples, interval: 1s}
            """.write(to: config, atomically: true, encoding: .utf8)
            let a = try await TestReconciler(server: server, arguments: ["--config", config.path])
            let b = try await TestReconciler(server: server, arguments: ["--config", config.path])
            try await stopping(a, b) {
                let converged = try await eventually(60) {
                    let sources = (try? await a.status())?["sources"]?.arrayValue ?? []
                    return sources.count == 2 && sources.allSatisfy { $0["result"] == "synced" }
                }
                #expect(converged, "A:\n\(a.logText)\nB:\n\(b.logText)")
                let owners = ((try? await a.status())?["sources"]?.arrayValue ?? []).compactMap { $0["owner"]?.stringValue }
                #expect(owners.count == 2)
                // Each source held by exactly one replica, and no object created twice. (Logs are JSON
                // lines off a terminal: "source":"NAME"; text on one: source=NAME.)
                for name in ["datasets", "dependants"] {
                    let holders = [a, b].filter {
                        $0.logText.split(separator: "\n").contains {
                            $0.contains("holding source") && ($0.contains("source=\(name)") || $0.contains("\"source\":\"\(name)\""))
                        }
                    }
                    #expect(holders.count == 1, "\(name) held by \(holders.count) replicas")
                }
                let creates = try await server.auditEvents("&action=create").compactMap { $0["resource"]?.stringValue }.filter {
                    !$0.hasPrefix("applyset/")
                }
                #expect(creates.count == Set(creates).count && creates.count == 14, "\(creates)")

                // Kill A: B takes its sources over and follows a new commit.
                a.kill()
                _ = try? await dpctlQueue.run { a.process.waitUntilExit() }
                try edit(one.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn-team@example.com")
                let next = try await one.commit("Change after the takeover")
                let followed = try await eventually(30) { await b.source("datasets")?["lastAppliedCommit"]?.stringValue == next }
                #expect(followed, "B:\n\(b.logText)")
                let survivors = Set(((try? await b.status())?["sources"]?.arrayValue ?? []).compactMap { $0["owner"]?.stringValue })
                #expect(survivors.count == 1)
            }
        }
    }

    @Test func syncOnceAndBadInput() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let once = try await dpctl(
                [
                    "reconcile", "--once", "--repo", repository.url, "--path", "examples", "--database-url", server.databaseURL,
                    "--cache-dir", repository.folder.appendingPathComponent(".git/dp-cache").path,
                ], environment: server.env)
            #expect(once.status == 0, "\(once.stdout)\(once.stderr)")
            #expect(try await server.request("GET", "/api/runs").json["items"]?.arrayValue?.count == 2)
        }
        var cases: [([String], String)] = [
            (["reconcile"], "--config FILE"),
            (["reconcile", "--repo", "file:///x", "--config", "s.yaml"], "not both"),
            (["reconcile", "--repo", "file:///x", "--ref", "main", "--database-url", "postgres://x"], "refs/heads/main"),
            (["reconcile", "--repo", "ftp://x", "--database-url", "postgres://x"], "file://, git://"),
            (["reconcile", "--repo", "file:///x", "--interval", "soon", "--database-url", "postgres://x"], "--interval \"soon\""),
            (["reconcile", "--repo", "file:///x", "--ssh-key-file", "k"], "--known-hosts-file"),
            (["reconcile", "--config", "/nonexistent/sources.yaml"], "cannot read the sources file"),
            (["status", "--reconciler", "http://127.0.0.1:1"], "is `dpctl reconcile` running?"),
        ]
        // Sources files: each mistake named with the file and the setting.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files: [(String, String)] = [
            ("database-url: postgres://x\nsources: []\n", "list at least one source"),
            ("database-url: postgres://x\nsourcez: []\n", "unknown setting \"sourcez\""),
            (
                "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\", intervall: 5s}\n",
                "sources[0]: unknown setting \"intervall\""
            ),
            ("database-url: postgres://x\nsources:\n  - {url: \"file:///x\"}\n", "sources[0].name is required"),
            (
                "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\", auth: {username: u, password: hunter2}}\n",
                "not in the sources file"
            ),
            (
                "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\", auth: {ssh-key-file: /k}}\n",
                "known-hosts-file is required"
            ),
            (
                "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\"}\n  - {name: a, url: \"file:///y\"}\n",
                "listed twice"
            ),
            ("sources: [\n", "sources.yaml:"),
        ]
        for (index, (text, message)) in files.enumerated() {
            let file = folder.appendingPathComponent("\(index)-sources.yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            cases.append((["reconcile", "--config", file.path], message))
        }
        for (arguments, message) in cases {
            let result = try await dpctl(arguments, environment: ["DATAPILOT_DATABASE_URL": ""])
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
