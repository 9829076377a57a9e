import Curl
import Foundation
import Manifests
import TestSupport
import Testing

/// `/api/reconciler/...`: the gateway forwarding the reconciler's status and controls (the web UI's
/// Sources pages, `dpctl source --reconciler <gateway>/api/reconciler`) with the caller's own
/// credentials, a real reconciler behind it.
@Suite struct ReconcilerGatewayTests {
    /// A server whose `reconciler-url` is a relay on a fixed port (the server needs the address
    /// before the reconciler, which needs the server's, can start), then the reconciler of
    /// examples/ behind the relay, polling once an hour: every sync after the first comes from a control.
    static func withReconciler(_ body: (TestServer, TestReconciler, ForwardingProxy) async throws -> Void) async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let relay = try await ForwardingProxy.start(to: 1)
        defer { relay.stop() }
        try await withServer(arguments: ["--reconciler-url", relay.endpoint]) { server in
            let reconciler = try await TestReconciler(
                server: server, arguments: ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h"])
            do {
                try relay.forward(to: reconciler.port)
                let first = try await repository.git("rev-parse", "HEAD")
                #expect(try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == first })
                try await body(server, reconciler, relay)
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// The attack: a viewer (or nobody) asking the gateway for a sync, a suspend or a rollback. The
    /// gateway must refuse before forwarding and must never lend the request a credential of its
    /// own; nothing is synced and no control is audited. An editor's sync goes through, audited
    /// with the editor as the actor.
    @Test func aViewerCannotSyncThroughTheGateway() async throws {
        try await Self.withReconciler { server, reconciler, _ in
            let viewer = try await server.key(role: "viewer")
            let editor = try await server.key(role: "editor")
            let cases: [(String, String?, Int)] = [
                ("sync", viewer, 403), ("sync", nil, 401), ("sync", "dpt.forged.token", 401), ("suspend", viewer, 403),
                ("suspend", editor, 403), ("resume", editor, 403), ("unpin", viewer, 403), ("rollback", editor, 403),
            ]
            for (action, key, status) in cases {
                let response = try await server.request(
                    "POST", "/api/reconciler/sources/examples/\(action)", json: action == "rollback" ? #"{"commit": "abcdef1"}"# : nil,
                    key: key)
                #expect(response.status == status, "\(action) as \(key ?? "nobody"): \(response.status) \(response.text)")
            }
            // Reads need a role through the gateway, though the reconciler's own port is open.
            #expect(try await server.request("GET", "/api/reconciler/sources", key: nil).status == 401)
            #expect(try await server.request("GET", "/api/reconciler/status", key: nil).status == 401)
            // dpctl through the gateway, as the viewer: refused too.
            let gateway = server.baseURL + "/api/reconciler"
            let refused = try await dpctl(
                ["source", "sync", "examples", "--reconciler", gateway], environment: server.env.merging(["DATAPILOT_TOKEN": viewer]) { $1 }
            )
            #expect(refused.status == 1 && refused.stderr.contains("needs editor"), "\(refused.stdout)\(refused.stderr)")
            let listed = try #require(await reconciler.listed("examples"))
            #expect(listed["suspended"] == false && listed["pinnedCommit"] == nil, "\(listed)")
            let audited = try await server.auditEvents("&resource=source/examples").compactMap { $0["action"]?.stringValue }
            #expect(!audited.contains { $0.hasPrefix("source-") }, "\(audited)")

            // The editor may: through the gateway, audited as the editor, not as the gateway.
            let sync = try await server.request("POST", "/api/reconciler/sources/examples/sync", key: editor)
            #expect(sync.status == 202 && sync.json["accepted"] == true, "\(sync.status) \(sync.text)")
            let who = try await server.request("GET", "/auth/whoami", key: editor).json["subject"]?.stringValue
            let event = try #require(try await server.auditEvents("&resource=source/examples&action=source-sync").last)
            #expect(event["actor"]?.stringValue == who && who != nil, "\(event)")
            // dpctl through the gateway: list and history read with the context's token.
            let list = try await dpctl(["source", "list", "--reconciler", gateway, "-o", "json"], environment: server.env)
            #expect(list.status == 0 && list.stdout.contains("\"examples\""), "\(list.stdout)\(list.stderr)")
            let history = try await dpctl(["source", "history", "examples", "--reconciler", gateway], environment: server.env)
            #expect(history.status == 0 && history.stdout.contains("synced"), "\(history.stdout)\(history.stderr)")
        }
    }

    /// Bad input through the gateway: each refused with a status and a message naming what is
    /// wrong, and nothing but the fixed routes reaches the reconciler.
    @Test func badInputIsRefusedByName() async throws {
        try await Self.withReconciler { server, reconciler, relay in
            let big = #"{"commit": ""# + String(repeating: "a", count: 5000) + #""}"#
            let cases: [(String, String, String?, Int, String)] = [
                ("GET", "/api/reconciler/sources/Bad_Name/history", nil, 400, "is not a source name"),
                ("GET", "/api/reconciler/sources/..%2Fstatus/history", nil, 400, "is not a source name"),
                ("GET", "/api/reconciler/sources/a.b/history", nil, 400, "is not a source name"),
                ("GET", "/api/reconciler/sources/\(String(repeating: "a", count: 64))/history", nil, 400, "at most 63"),
                ("GET", "/api/reconciler/sources/examples/history?limit=0", nil, 400, "limit: expected a number from 1 to 50"),
                ("GET", "/api/reconciler/sources/examples/history?limit=abc", nil, 400, "got \"abc\""),
                ("GET", "/api/reconciler/sources/examples/history?limit=51", nil, 400, "limit"),
                ("GET", "/api/reconciler/sources/nosuch/history", nil, 404, "source \"nosuch\" is not configured"),
                ("POST", "/api/reconciler/sources/nosuch/sync", nil, 404, "source \"nosuch\" is not configured"),
                ("POST", "/api/reconciler/sources/Bad_Name/suspend", nil, 400, "is not a source name"),
                ("POST", "/api/reconciler/sources/examples/rollback", "not json", 422, "expected a JSON object"),
                ("POST", "/api/reconciler/sources/examples/rollback", "[1]", 422, "expected a JSON object"),
                ("POST", "/api/reconciler/sources/examples/rollback", big, 413, "at most 4096 bytes"),
                ("POST", "/api/reconciler/sources/examples/rollback", #"{"commit": "zzz"}"#, 422, "is not a commit id"),
                ("POST", "/api/reconciler/sources/examples/rollback", "{}", 422, "commit: required"),
                ("POST", "/api/reconciler/sources/examples/resume", nil, 409, "is not suspended"),
                ("POST", "/api/reconciler/hooks/examples", "{}", 404, "no route for POST /api/reconciler/hooks/examples"),
                ("POST", "/api/reconciler/sources/examples/delete", nil, 404, "no route for POST"),
                ("GET", "/api/reconciler/metrics", nil, 404, "no route for GET /api/reconciler/metrics"),
                ("GET", "/api/reconciler/notifications", nil, 404, "no route for GET"),
            ]
            for (method, path, body, status, message) in cases {
                let response = try await server.request(method, path, json: body)
                #expect(response.status == status, "\(method) \(path): \(response.status) \(response.text)")
                // The problem's detail names what is wrong, the gateway's or the reconciler's.
                let detail = response.json["detail"]?.stringValue ?? ""
                #expect(detail.contains(message), "\(method) \(path): \(response.text)")
            }
            let listed = try #require(await reconciler.listed("examples"))
            #expect(listed["suspended"] == false && listed["pinnedCommit"] == nil, "\(listed)")
            // The reconciler gone: 502 naming the setting to check; the gateway's other routes go on.
            try relay.forward(to: 1)
            let gone = try await server.request("GET", "/api/reconciler/sources")
            #expect(gone.status == 502 && gone.text.contains("reconciler-url"), "\(gone.status) \(gone.text)")
            #expect(try await server.request("GET", "/api/datasets").status == 200)
        }
    }

    /// Without `reconciler-url` the routes say what to set; a bad setting stops the server.
    @Test func withoutAReconcilerTheRoutesSaySo() async throws {
        try await withServer { server in
            let response = try await server.request("GET", "/api/reconciler/sources")
            #expect(response.status == 503 && response.text.contains("set reconciler-url"), "\(response.status) \(response.text)")
        }
        let result = try await Subprocess.run(
            try Products.path("datapilot-server"), ["--reconciler-url", "reconciler:8090", "--database-url", "postgres://x"],
            timeout: .seconds(120))
        #expect(result.status != 0)
        #expect(result.stderr.contains("reconciler-url must be an http(s) URL"), "\(result.stderr)")
    }
}
