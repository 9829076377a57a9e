import Crypto
import Curl
import Foundation
import Manifests
import TestSupport
import Testing

/// Local HTTP receivers, one per notification target, in one Python process: each records
/// every request (method, path, headers, body) as a JSON line and answers 201, or 500 for its
/// first `fail` requests (`name:fail`), or always `status`, quoting the Authorization header it
/// got (`name:echo-status`).
struct Receivers {
    static let script = #"""
        import http.server, json, os, sys, threading
        folder = sys.argv[1]
        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with self.server.lock:
                    self.server.seen += 1
                    status = self.server.echo or (500 if self.server.seen <= self.server.fail else 201)
                    record = {"method": self.command, "path": self.path, "status": status,
                              "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body.decode("utf-8")}
                    with open(os.path.join(folder, self.server.name + ".jsonl"), "a") as log:
                        log.write(json.dumps(record) + "\n")
                answer = b'{"message": "unavailable"}' if status == 500 else b'{"id": 1}'
                if self.server.echo:
                    # A careless server quoting the credentials it refused.
                    answer = json.dumps({"message": "Bad credentials", "received": self.headers.get("Authorization")}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            def log_message(self, *args):
                pass
        servers = []
        for spec in sys.argv[2:]:
            name, _, fail = spec.partition(":")
            echo = int(fail[5:]) if fail.startswith("echo-") else 0
            fail = "0" if echo else fail
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
            server.name, server.fail, server.seen, server.lock = name, int(fail or 0), 0, threading.Lock()
            server.echo = echo
            servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        print(" ".join(f"{s.name}={s.server_address[1]}" for s in servers), flush=True)
        threading.Event().wait()
        """#

    let peer: Peer
    let folder: URL
    let ports: [String: Int]

    static func start(in folder: URL, _ specs: [String]) async throws -> Receivers {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let peer = try await Peer.python("the notification receivers", script, [folder.path] + specs, ready: .announcesLine)
        var ports: [String: Int] = [:]
        for pair in peer.announcement.split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let port = Int(parts[1]) { ports[String(parts[0])] = port }
        }
        guard ports.count == specs.count else { throw SetupError(.peerDidNotStart, "the receivers announced \(peer.announcement)") }
        return Receivers(peer: peer, folder: folder, ports: ports)
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(ports[name]!)" }

    /// The complete requests `name` received, oldest first.
    func requests(_ name: String) -> [JSONValue] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(name + ".jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).compactMap {
            guard case .success(let value) = JSONText.parse(String($0)) else { return nil }
            return value
        }
    }

    /// Waits until `name` received `count` requests; fails with what it got.
    func wait(_ name: String, count: Int, log: @autoclosure () -> String) async throws -> [JSONValue] {
        let arrived = try await eventually(90) { requests(name).count >= count }
        let report = arrived ? "" : "\(name) received \(requests(name).count) of \(count) requests:\n\(requests(name))\n\(log())"
        #expect(arrived, "\(report)")
        return requests(name)
    }

    func stop() { peer.stop() }
}

/// Item 4 of issue 18: a real reconciler syncing a real repository tells GitHub and GitLab
/// commit statuses, a signed webhook and a Slack webhook, each a local receiver that checks the
/// documented request; a receiver failing twice gets the event on the third attempt, and the
/// delivery log (`dpctl notifications log`) shows the attempts. No token reaches a log.
@Suite struct NotificationTests {
    static let githubToken = "ghp_notify0123456789abcdef"
    static let otherToken = "ghp_refused0123456789abcdef"
    static let gitlabToken = "glpat-notify0123456789"
    static let hookSecret = "notify-hook-secret-0123456789"
    static let slackPath = "/services/T0000/B0000/slacksecret0123456789"

    @Test func statusesWebhookAndSlackFollowTheSyncs() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let secrets = repository.folder.appendingPathComponent(".git/notify-secrets")
        let receivers = try await Receivers.start(
            in: repository.folder.appendingPathComponent(".git/receivers"), ["github", "gitlab", "webhook:2", "slack", "echo:echo-401"])
        defer { receivers.stop() }
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        func secret(_ name: String, _ text: String) throws -> String {
            let path = secrets.appendingPathComponent(name).path
            try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let sources = repository.folder.appendingPathComponent(".git/sources.yaml")
        try """
        sources:
          - name: examples
            url: "\(repository.url)"
            path: examples
            interval: 1h
            resync: 1s
            # A sync ends once its versions are evaluated: one pending, one final status per commit.
            wait: true
            wait-timeout: 2m
            webhook-secret-file: "\(try secret("hook", ReconcilerTests.secret))"
            notify:
              - type: github
                repository: acme/data
                token-file: "\(try secret("github", Self.githubToken))"
                api-url: "\(receivers.url("github"))"
                target-url: "https://datapilot.example.com/sources/{source}/{commit}"
              - {type: github, repository: acme/other, token-file: "\(try secret("github2", Self.otherToken))", api-url: "\(receivers.url("echo"))"}
              - {type: gitlab, project: acme/data, token-file: "\(try secret("gitlab", Self.gitlabToken))", api-url: "\(receivers.url("gitlab"))/"}
              - {type: webhook, url: "\(receivers.url("webhook"))/datapilot/events", secret-file: "\(try secret("secret", Self.hookSecret))"}
              - {type: slack, url-file: "\(try secret("slack", receivers.url("slack") + Self.slackPath))", events: [sync-failed]}

        """.write(to: sources, atomically: true, encoding: .utf8)
        try await withServer { server in
            let reconciler = try await TestReconciler(server: server, arguments: ["--config", sources.path])
            do {
                try await Self.check(repository, receivers, reconciler, server)
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    static func check(
        _ repository: TestRepository, _ receivers: Receivers, _ reconciler: TestReconciler, _ server: TestServer
    ) async throws {
        let good = try await repository.git("rev-parse", "HEAD")

        // GitHub: pending, then success, on the synced commit, exactly as the Statuses API documents.
        let github = try await receivers.wait("github", count: 2, log: reconciler.logText)
        try #require(github.count >= 2)
        for (request, state) in zip(github.prefix(2), ["pending", "success"]) {
            #expect(request["method"] == "POST")
            #expect(request["path"]?.stringValue == "/repos/acme/data/statuses/\(good)")
            let headers = request["headers"]
            #expect(headers?["authorization"]?.stringValue == "Bearer \(githubToken)")
            #expect(headers?["accept"] == "application/vnd.github+json")
            #expect(headers?["x-github-api-version"] == "2022-11-28")
            #expect(headers?["content-type"] == "application/json")
            #expect(headers?["user-agent"]?.stringValue?.isEmpty == false)
            let body = try #require(Self.json(request["body"]))
            #expect(Set(body.objectValue?.map(\.key) ?? []) == ["state", "description", "context", "target_url"], "\(body)")
            #expect(body["state"]?.stringValue == state)
            #expect(body["context"] == "datapilot/examples")
            #expect(body["target_url"]?.stringValue == "https://datapilot.example.com/sources/examples/\(good)")
            let description = try #require(body["description"]?.stringValue)
            #expect(!description.isEmpty && description.count <= 140, "\(description)")
        }
        #expect(Self.json(github[1]["body"])?["description"]?.stringValue?.hasPrefix("synced: created=") == true, "\(github[1])")

        // GitLab: running, then success, with PRIVATE-TOKEN and the project's URL-encoded path.
        let gitlab = try await receivers.wait("gitlab", count: 2, log: reconciler.logText)
        try #require(gitlab.count >= 2)
        for (request, state) in zip(gitlab.prefix(2), ["running", "success"]) {
            #expect(request["method"] == "POST")
            #expect(request["path"]?.stringValue == "/api/v4/projects/acme%2Fdata/statuses/\(good)")
            #expect(request["headers"]?["private-token"]?.stringValue == gitlabToken)
            #expect(request["headers"]?["authorization"] == nil)
            #expect(request["headers"]?["content-type"] == "application/json")
            let body = try #require(Self.json(request["body"]))
            #expect(Set(body.objectValue?.map(\.key) ?? []) == ["state", "name", "description"], "\(body)")
            #expect(body["state"]?.stringValue == state)
            #expect(body["name"] == "datapilot/examples")
        }

        // The webhook answered 500 twice: the first event arrives on the third attempt, in order.
        let hooks = try await receivers.wait("webhook", count: 4, log: reconciler.logText)
        try #require(hooks.count >= 4)
        #expect(hooks.map { $0["status"]?.numberValue ?? 0 } == [500, 500, 201, 201])
        for request in hooks {
            #expect(request["path"] == "/datapilot/events")
            let headers = try #require(request["headers"])
            let body = try #require(request["body"]?.stringValue)
            let stamp = try #require(headers["x-datapilot-timestamp"]?.stringValue)
            // Verified here, independently of the reconciler's code: HMAC-SHA256 over "<timestamp>.<body>".
            let mac = HMAC<SHA256>.authenticationCode(
                for: Array((stamp + "." + body).utf8), using: SymmetricKey(data: Data(hookSecret.utf8)))
            #expect(headers["x-datapilot-signature"]?.stringValue == "sha256=" + Hex.encode(mac))
            #expect(abs(Date().timeIntervalSince1970 - (Double(stamp) ?? 0)) < 300)
            #expect(headers["content-type"] == "application/json")
            let event = try #require(Self.json(request["body"]))
            #expect(headers["x-datapilot-event"]?.stringValue == event["event"]?.stringValue)
            #expect(headers["x-datapilot-delivery"]?.stringValue == event["id"]?.stringValue)
            #expect(event["commit"]?.stringValue == good && event["source"] == "examples")
            #expect(event["repository"]?.stringValue == repository.url)
        }
        #expect(
            hooks.map { Self.json($0["body"])?["event"]?.stringValue ?? "" } == [
                "sync-started", "sync-started", "sync-started", "sync-succeeded",
            ])
        // A retry is the same delivery (one id), signed again.
        #expect(Set(hooks.prefix(3).map { $0["headers"]?["x-datapilot-delivery"]?.stringValue ?? "" }).count == 1)
        #expect(Self.json(hooks[3]["body"])?["counts"]?["created"] == 14)

        // The delivery log, through `dpctl notifications log`: the retried delivery took 3 attempts.
        let logged = try await eventually(30) {
            let entries = try await deliveries(reconciler)
            return entries.filter { $0["state"] == "delivered" }.count >= 6
        }
        let entries = try await deliveries(reconciler)
        #expect(logged, "\(entries)")
        let retried = entries.first { $0["target"]?.stringValue?.hasPrefix("webhook ") == true && $0["event"] == "sync-started" }
        #expect(retried?["attempts"] == 3 && retried?["state"] == "delivered" && retried?["lastStatus"] == 201, "\(entries)")
        #expect(retried?["target"]?.stringValue == "webhook 127.0.0.1:\(receivers.ports["webhook"]!)/datapilot/events")
        #expect(retried?["commit"]?.stringValue == good)
        let statuses = entries.filter { $0["target"] == "github acme/data" }
        #expect(statuses.map { $0["event"]?.stringValue ?? "" } == ["sync-succeeded", "sync-started"], "\(entries)")
        #expect(statuses.allSatisfy { $0["attempts"] == 1 && $0["lastStatus"] == 201 })
        // A refusal is final (401 is not retried), and the token the server quoted back is masked.
        let refused = try await eventually(30) {
            try await deliveries(reconciler).filter { $0["target"] == "github acme/other" && $0["state"] == "failed" }.count == 2
        }
        let other = try await deliveries(reconciler).filter { $0["target"] == "github acme/other" }
        #expect(refused, "\(other)")
        for entry in other {
            #expect(entry["attempts"] == 1 && entry["lastStatus"] == 401, "\(entry)")
            let error = entry["lastError"]?.stringValue ?? ""
            #expect(error.contains("HTTP 401") && error.contains("Bearer ***") && !error.contains(otherToken), "\(error)")
        }
        let table = try await dpctl(["notifications", "log", "--reconciler", reconciler.baseURL, "examples"], environment: [:])
        #expect(table.status == 0, "\(table)")
        #expect(table.stdout.contains("ATTEMPTS") && table.stdout.contains("github acme/data"), "\(table.stdout)")
        let retriedRow = table.stdout.split(separator: "\n").contains {
            $0.contains("webhook 127.0.0.1") && $0.contains("sync-started") && $0.contains("delivered") && $0.contains(" 3 ")
        }
        #expect(retriedRow, "\(table.stdout)")
        #expect(receivers.requests("slack").isEmpty, "Slack is told sync-failed only")

        // Drift: another user edits a dataset; the next scan tells the webhook (statuses follow syncs only).
        let editor = try await server.key(role: "editor")
        try await server.rewrite("/api/datasets/churn", "growth-analytics@example.com", "rogue@example.com", key: editor)
        #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
        let drifted = try await receivers.wait("webhook", count: 5, log: reconciler.logText)
        try #require(drifted.count >= 5)
        let drift = try #require(Self.json(drifted[4]["body"]))
        #expect(drift["event"] == "drift-detected" && drift["state"] == "failure" && drift["object"] == "dataset/churn", "\(drift)")
        #expect(drift["commit"]?.stringValue == good)
        #expect(drifted[4]["headers"]?["x-datapilot-event"] == "drift-detected")
        try await server.rewrite("/api/datasets/churn", "rogue@example.com", "growth-analytics@example.com", key: editor)

        // The log's bad input: a limit out of range, an unknown output, no reconciler.
        let route = try await dpctlQueue.run {
            try Transfer().perform(HTTPRequest(url: reconciler.baseURL + "/notifications?limit=abc", timeoutSeconds: 10))
        }
        #expect(route.status == 400 && route.text.contains("limit: expected a number from 1 to 1000"), "\(route.text)")
        let refusals: [([String], String)] = [
            (["--limit", "0"], "--limit must be between 1 and 1000, got 0"),
            (["--limit", "5000"], "--limit must be between 1 and 1000, got 5000"),
            (["-o", "yaml"], "yaml"),
            (["--reconciler", "http://127.0.0.1:1"], "cannot reach the reconciler at http://127.0.0.1:1"),
        ]
        for (arguments, message) in refusals {
            let address = arguments.contains("--reconciler") ? [] : ["--reconciler", reconciler.baseURL]
            let result = try await dpctl(["notifications", "log"] + address + arguments, environment: [:])
            #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result)")
        }

        // An invalid manifest: pending, then failure naming the file; Slack hears of it too.
        try edit(repository.file("examples/datasets/churn.yaml"), "format: csv", "format: xlsx")
        let bad = try await repository.commit("An unknown format")
        #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
        let failed = try await receivers.wait("github", count: 4, log: reconciler.logText)
        try #require(failed.count >= 4)
        #expect(failed[2]["path"]?.stringValue == "/repos/acme/data/statuses/\(bad)")
        #expect(Self.json(failed[2]["body"])?["state"] == "pending")
        #expect(failed[3]["path"]?.stringValue == "/repos/acme/data/statuses/\(bad)")
        let failure = try #require(Self.json(failed[3]["body"]))
        #expect(failure["state"] == "failure")
        let reason = try #require(failure["description"]?.stringValue)
        #expect(reason.hasPrefix("invalid: examples/datasets/churn.yaml:") && reason.count <= 140, "\(reason)")
        let gitlabFailed = try await receivers.wait("gitlab", count: 4, log: reconciler.logText)
        #expect(gitlabFailed.count >= 4 && Self.json(gitlabFailed[3]["body"])?["state"] == "failed")
        let slack = try await receivers.wait("slack", count: 1, log: reconciler.logText)
        let message = try #require(slack.first)
        #expect(message["path"]?.stringValue == slackPath)
        let text = try #require(Self.json(message["body"]))
        #expect(text.objectValue?.map(\.key) == ["text"])
        #expect(text["text"]?.stringValue?.contains("*examples* sync failed at `\(bad.prefix(12))`") == true, "\(text)")
        #expect(text["text"]?.stringValue?.contains("examples/datasets/churn.yaml:") == true, "\(text)")

        // No secret in the reconciler's log or the delivery log.
        let everything = try await deliveries(reconciler, source: nil).description + reconciler.logText
        for secret in [githubToken, otherToken, gitlabToken, hookSecret, slackPath, "slacksecret"] {
            #expect(!everything.contains(secret), "\(secret) leaked")
        }
        #expect(everything.contains("slack 127.0.0.1:\(receivers.ports["slack"]!)"))
    }

    static func json(_ value: JSONValue?) -> JSONValue? {
        guard let text = value?.stringValue, case .success(let parsed) = JSONText.parse(text) else { return nil }
        return parsed
    }

    /// `dpctl notifications log -o json`: the deliveries, newest first.
    static func deliveries(_ reconciler: TestReconciler, source: String? = "examples") async throws -> [JSONValue] {
        let result = try await dpctl(
            ["notifications", "log", "--reconciler", reconciler.baseURL, "-o", "json"] + (source.map { [$0] } ?? []), environment: [:])
        guard result.status == 0, case .success(let log) = JSONText.parse(result.stdout) else {
            Issue.record("dpctl notifications log: \(result)")
            return []
        }
        return log["deliveries"]?.arrayValue ?? []
    }
}
