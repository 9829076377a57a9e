import Curl
import Foundation
import Manifests
import TestSupport
import Testing

extension TestReconciler {
    /// One source as `GET /sources` shows it (controls and status).
    func listed(_ name: String) async -> JSONValue? {
        (try? await sources())?["sources"]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    func sources() async throws -> JSONValue {
        let request = HTTPRequest(method: "GET", url: baseURL + "/sources", headers: [], body: .none, timeoutSeconds: 10)
        return try await dpctlQueue.run { try Transfer().perform(request) }.json
    }
}

/// `dpctl source list|suspend|resume|sync|history|rollback|unpin` against a real reconciler,
/// server and git repository, and the reconciler reloading its sources file.
@Suite struct SourceControlTests {
    /// The attack: the reconciler's port has no authentication of its own, so a control must be
    /// refused to a caller without a token, with a token the server does not know, and with a
    /// role below the control's; nothing changes and nothing is audited.
    @Test func controlsNeedATokenAndTheRole() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server, arguments: ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h"])
            do {
                let first = try await repository.git("rev-parse", "HEAD")
                #expect(try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first })
                let viewer = try await server.key(role: "viewer")
                let editor = try await server.key(role: "editor")
                let rollback = Array(#"{"commit": "\#(first)"}"#.utf8)
                let cases: [(String, [UInt8], String?, Int)] = [
                    ("suspend", [], nil, 401), ("suspend", [], "dpt.forged.token", 401), ("suspend", [], viewer, 403),
                    ("suspend", [], editor, 403), ("rollback", rollback, nil, 401), ("rollback", rollback, viewer, 403),
                    ("rollback", rollback, editor, 403), ("resume", [], viewer, 403), ("unpin", [], editor, 403),
                    ("sync", [], nil, 401), ("sync", [], viewer, 403),
                ]
                for (action, body, token, status) in cases {
                    var headers = [("Content-Type", "application/json")]
                    if let token { headers.append(("Authorization", "Bearer \(token)")) }
                    let response = try await reconciler.post("/sources/examples/\(action)", body: body, headers: headers)
                    #expect(
                        response.status == status,
                        "\(action) with \(token == nil ? "no token" : token!): \(response.status) \(response.text)")
                }
                let listed = try #require(await reconciler.listed("examples"))
                #expect(listed["suspended"] == false && listed["pinnedCommit"] == nil, "\(listed)")
                let audited = try await server.auditEvents("&resource=source/examples").compactMap { $0["action"]?.stringValue }
                #expect(!audited.contains { $0.hasPrefix("source-") }, "\(audited)")
                // The editor may sync now; that is audited with its subject.
                let sync = try await reconciler.post(
                    "/sources/examples/sync", body: [], headers: [("Authorization", "Bearer \(editor)")])
                #expect(sync.status == 202, "\(sync.text)")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    @Test func suspendResumeSyncRollbackAndBadInput() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let secretFile = repository.folder.appendingPathComponent(".git/hook-secret")
        try ReconcilerTests.secret.write(to: secretFile, atomically: true, encoding: .utf8)
        try await withServer { server in
            // Polls once an hour: every sync below comes from a control or a webhook.
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h",
                    "--webhook-secret-file", secretFile.path,
                ])
            do {
                let first = try await repository.git("rev-parse", "HEAD")
                #expect(try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first })
                let operatorKey = try await server.key(role: "admin")
                let who = try await server.request("GET", "/auth/whoami", key: operatorKey).json["subject"]?.stringValue
                let viewer = try await server.key(role: "viewer")
                let admin = [
                    "DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": operatorKey, "DATAPILOT_RECONCILER": reconciler.baseURL,
                ]
                func source(_ arguments: String..., token: String? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
                    try await dpctl(["source"] + arguments, environment: admin.merging(token.map { ["DATAPILOT_TOKEN": $0] } ?? [:]) { $1 })
                }

                // Bad input: each refused with the problem named, nothing changed, nothing audited.
                let never = String(repeating: "ab", count: 20)
                let cases: [([String], String?, Int32, String)] = [
                    (["suspend", "nosuch"], nil, 1, "source \"nosuch\" is not configured"),
                    (["suspend", "Bad_Name"], nil, 2, "\"Bad_Name\" is not a source name"),
                    (["suspend"], nil, 2, "Missing expected argument"),
                    (["resume", "examples"], nil, 1, "source \"examples\" is not suspended"),
                    (["unpin", "examples"], nil, 1, "source \"examples\" is not pinned"),
                    (["rollback", "examples", "--to", "zzz"], nil, 2, "\"zzz\" is not a commit id"),
                    (["rollback", "examples"], nil, 2, "--to"),
                    (["rollback", "examples", "--to", never], nil, 1, "commit \(never) was never applied by source \"examples\""),
                    (["rollback", "nosuch", "--to", first], nil, 1, "source \"nosuch\" is not configured"),
                    (["suspend", "examples"], "", 1, "needs a DataPilot token with the admin role"),
                    (["suspend", "examples"], viewer, 1, "needs the admin role"),
                    (["rollback", "examples", "--to", first], viewer, 1, "needs the admin role"),
                    (["history", "examples", "--limit", "0"], nil, 2, "--limit must be between 1 and 50"),
                    (["history", "nosuch"], nil, 1, "source \"nosuch\" is not configured"),
                    (["sync", "examples", "--bogus"], nil, 2, "--bogus"),
                ]
                for (arguments, token, status, message) in cases {
                    let result = try await dpctl(
                        ["source"] + arguments, environment: admin.merging(token.map { ["DATAPILOT_TOKEN": $0] } ?? [:]) { $1 })
                    #expect(result.status == status, "\(arguments): \(result.status) \(result.stdout)\(result.stderr)")
                    #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
                }
                let untouched = try #require(await reconciler.listed("examples"))
                #expect(untouched["suspended"] == false && untouched["pinnedCommit"] == nil, "\(untouched)")
                #expect(try await server.auditEvents("&resource=source/examples").allSatisfy { $0["action"] == "sync" })

                // Suspended: a new commit is seen (held back) and not applied.
                let suspended = try await source("suspend", "examples")
                #expect(suspended.status == 0, "\(suspended.stderr)")
                try edit(
                    repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn-team@example.com")
                let second = try await repository.commit("Hand churn to its own team")
                #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
                let heldBack = try await eventually(30) { await reconciler.listed("examples")?["heldBackCommit"]?.stringValue == second }
                #expect(heldBack, "\(reconciler.logText)")
                #expect(await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first)
                #expect(try await server.request("GET", "/api/datasets/churn").json["spec"]?["owner"] == "growth-analytics@example.com")
                let metrics = try await dpctlQueue.run {
                    try Transfer().perform(
                        HTTPRequest(method: "GET", url: reconciler.baseURL + "/metrics", headers: [], body: .none, timeoutSeconds: 10))
                }
                #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"datapilot_source_suspended{source="examples"} 1"#))
                let listed = try await source("list")
                #expect(listed.stdout.contains("suspended") && listed.stdout.contains(String(second.prefix(12))), "\(listed.stdout)")
                let refused = try await source("sync", "examples")
                #expect(refused.status == 1 && refused.stderr.contains("is suspended; resume it first"), "\(refused.stderr)")
                let again = try await source("suspend", "examples")
                #expect(again.status == 1 && again.stderr.contains("already suspended"), "\(again.stderr)")

                // Resumed: applied at once (no poll is due for an hour).
                #expect(try await source("resume", "examples").status == 0)
                #expect(try await eventually(30) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == second })
                #expect(await reconciler.listed("examples")?["heldBackCommit"] == nil)

                // Sync now: the next commit applied without waiting for the poll.
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: churn-team@example.com", "owner: retention@example.com")
                let third = try await repository.commit("Hand churn to retention")
                let started = ContinuousClock.now
                let synced = try await source("sync", "examples")
                #expect(synced.status == 0 && synced.stdout.contains("sync requested"), "\(synced.stderr)")
                #expect(try await eventually(30) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == third })
                print("sync now: \(ContinuousClock.now - started) from dpctl source sync to applied")

                // History: the syncs with their commits, authors and counts.
                let history = try await source("history", "examples", "-o", "json")
                let parsed = try JSONText.parse(history.stdout).get()
                let syncs = try #require(parsed["syncs"]?.arrayValue, "\(history.stdout)")
                #expect(syncs.prefix(3).compactMap { $0["commit"]?.stringValue } == [third, second, first], "\(syncs)")
                #expect(syncs.first?["author"] == "Ada Lovelace <ada@example.com>" && syncs.first?["result"] == "synced", "\(syncs)")
                #expect(syncs.first?["counts"]?["configured"] == 1, "\(syncs)")
                let table = try await source("history", "examples")
                #expect(table.stdout.contains("AUTHOR") && table.stdout.contains(String(second.prefix(12))), "\(table.stdout)")

                // Rollback to the first commit (by a prefix): applied again, and the audit names who asked.
                let rolled = try await source("rollback", "examples", "--to", String(first.prefix(10)))
                #expect(rolled.status == 0 && rolled.stdout.contains(first), "\(rolled.stdout)\(rolled.stderr)")
                #expect(try await eventually(30) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first })
                #expect(try await server.request("GET", "/api/datasets/churn").json["spec"]?["owner"] == "growth-analytics@example.com")
                let event = try #require(try await server.auditEvents("&resource=source/examples&action=source-rollback").last)
                #expect(event["actor"]?.stringValue == who && who != nil, "\(event)")
                // The event's `after` is served as its diff from nothing.
                let recorded = event["diff"]?.arrayValue?.first?["new"]
                #expect(recorded?["commit"]?.stringValue == first && recorded?["requestedBy"]?.stringValue == who, "\(event)")
                #expect(recorded?["reportedBy"]?.stringValue != who, "\(event)")
                // Pinned: a new commit is held back.
                try edit(repository.file("examples/datasets/churn.yaml"), "owner: retention@example.com", "owner: growth@example.com")
                let fourth = try await repository.commit("Back to growth")
                #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
                #expect(try await eventually(30) { await reconciler.listed("examples")?["heldBackCommit"]?.stringValue == fourth })
                #expect(await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first)
                #expect(await reconciler.listed("examples")?["pinnedCommit"]?.stringValue == first)

                // Unpinned: the ref's head again.
                #expect(try await source("unpin", "examples").status == 0)
                #expect(try await eventually(30) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == fourth })
                let actions = try await server.auditEvents("&resource=source/examples").compactMap { $0["action"]?.stringValue }
                #expect(
                    actions.filter { $0.hasPrefix("source-") }
                        == ["source-suspend", "source-resume", "source-sync", "source-rollback", "source-unpin"], "\(actions)")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// A control the server does not audit is not done: here the reconciler's key lacks the
    /// `provenance` scope, so the server refuses its event; the suspend is undone and answered 503.
    @Test func aControlThatCannotBeAuditedIsUndone() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let unscoped = try await server.key(role: "admin")
            let reconciler = try await TestReconciler(
                server: server, arguments: ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h"],
                environment: ["DATAPILOT_TOKEN": unscoped])
            do {
                let first = try await repository.git("rev-parse", "HEAD")
                #expect(try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first })
                let operatorKey = try await server.key(role: "admin")
                let response = try await reconciler.post(
                    "/sources/examples/suspend", body: [], headers: [("Authorization", "Bearer \(operatorKey)")])
                #expect(response.status == 503 && response.text.contains("nothing was changed"), "\(response.status) \(response.text)")
                #expect(await reconciler.listed("examples")?["suspended"] == false)
                let audited = try await server.auditEvents("&resource=source/examples").compactMap { $0["action"]?.stringValue }
                #expect(audited.isEmpty, "\(audited)")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// Sync now asked of a replica that does not hold the source: forwarded to the one that does
    /// (through Postgres, as a webhook), which applies the new commit without waiting for its poll.
    @Test func syncNowIsForwardedToTheReplicaHoldingTheSource() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let config = repository.folder.appendingPathComponent(".git/sources.yaml")
            try "sources:\n  - {name: examples, url: \"\(repository.url)\", ref: refs/heads/main, path: examples, interval: 1h}\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let a = try await TestReconciler(server: server, arguments: ["--config", config.path])
            let b = try await TestReconciler(server: server, arguments: ["--config", config.path])
            try await stopping(a, b) {
                let first = try await repository.git("rev-parse", "HEAD")
                #expect(try await eventually(60) { await a.source("examples")?["lastAppliedCommit"]?.stringValue == first })
                let owner = try #require(await a.source("examples")?["owner"]?.stringValue)
                let holders = [a, b].filter { $0.logText.contains("holding source") }
                #expect(holders.count == 1, "A:\n\(a.logText)\nB:\n\(b.logText)")
                let other = holders.first === a ? b : a
                try edit(
                    repository.file("examples/datasets/churn.yaml"), "owner: growth-analytics@example.com", "owner: churn-team@example.com")
                let second = try await repository.commit("Hand churn to its own team")
                let editor = try await server.key(role: "editor")
                let response = try await other.post("/sources/examples/sync", body: [], headers: [("Authorization", "Bearer \(editor)")])
                #expect(response.status == 202, "\(response.text)")
                #expect(response.json["forwarded"] == true && response.json["owner"]?.stringValue == owner, "\(response.text)")
                let applied = try await eventually(30) { await a.source("examples")?["lastAppliedCommit"]?.stringValue == second }
                #expect(applied, "A:\n\(a.logText)\nB:\n\(b.logText)")
            }
        }
    }

    /// The sources file is reloaded without a restart: a refused file leaves the sources running
    /// and says why; a good one (after SIGHUP) adds a source.
    @Test func theSourcesFileIsReloaded() async throws {
        let one = try await TestRepository.examples()
        let two = try await TestRepository.examples()
        defer {
            one.remove()
            two.remove()
        }
        try FileManager.default.removeItem(at: two.file("examples/datasets"))
        try await two.commit("Only what depends on the datasets")
        for folder in ["versions", "quality", "experiments"] { try FileManager.default.removeItem(at: one.file("examples/\(folder)")) }
        try await one.commit("Only the datasets")
        try await withServer { server in
            let config = one.folder.appendingPathComponent(".git/sources.yaml")
            let datasets = "  - name: datasets\n    url: \"\(one.url)\"\n    path: examples\n    interval: 1h"
            try "sources:\n\(datasets)\n".write(to: config, atomically: true, encoding: .utf8)
            let reconciler = try await TestReconciler(server: server, arguments: ["--config", config.path])
            do {
                #expect(try await eventually(60) { await reconciler.source("datasets")?["result"] == "synced" }, "\(reconciler.logText)")

                // A file the reconciler would refuse: the error shows, the source keeps running.
                try "sources:\n\(datasets)\n    colour: blue\n".write(to: config, atomically: true, encoding: .utf8)
                let refused = try await eventually(30) {
                    (try? await reconciler.sources())?["config"]?["error"]?.stringValue?.contains("unknown setting \"colour\"") == true
                }
                #expect(refused, "\(reconciler.logText)")
                #expect(reconciler.logText.contains("the sources file is refused"))
                #expect(await reconciler.listed("datasets") != nil)

                // A good file, announced by SIGHUP: the new source is taken and synced.
                let dependants = #"  - {name: dependants, url: "\#(two.url)", ref: refs/heads/main, path: examples, interval: 1h}"#
                try "sources:\n\(datasets)\n\(dependants)\n".write(to: config, atomically: true, encoding: .utf8)
                reconciler.kill(SIGHUP)
                let added = try await eventually(60) { await reconciler.source("dependants")?["result"] == "synced" }
                #expect(added, "\(reconciler.logText)")
                #expect(reconciler.process.isRunning)
                #expect((try? await reconciler.sources())?["config"]?["error"] == nil)
                #expect(try await server.request("GET", "/api/experiments").json["items"]?.arrayValue?.isEmpty == false)

                // Dependants removed and the datasets' interval changed: the one let go, the other
                // restarted with its new settings (held a second time).
                func holdings(_ name: String) -> Int {
                    reconciler.logText.split(separator: "\n").filter {
                        $0.contains("holding source") && ($0.contains("source=\(name)") || $0.contains("\"source\":\"\(name)\""))
                    }.count
                }
                #expect(holdings("datasets") == 1)
                try "sources:\n\(datasets.replacingOccurrences(of: "interval: 1h", with: "interval: 2h"))\n"
                    .write(to: config, atomically: true, encoding: .utf8)
                let changed = try await eventually(30) {
                    let names = (try? await reconciler.sources())?["sources"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
                    return names == ["datasets"] && holdings("datasets") == 2
                }
                #expect(changed, "\(reconciler.logText)")
                #expect(reconciler.logText.contains("reloaded the sources file"))
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}
