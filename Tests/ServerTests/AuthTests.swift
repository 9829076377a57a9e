import Curl
import Foundation
import Manifests
import Testing

@Suite(.serialized) struct AuthTests {
    @Test func problemsCarryTheRequestIDAndSayWhatToDo() async throws {
        try await withServer { server in
            let anonymous = try await server.request("GET", "/api/datasets", key: nil)
            #expect(anonymous.status == 401)
            #expect(anonymous.header("Content-Type") == "application/problem+json")
            #expect(anonymous.json["request_id"]?.stringValue == anonymous.header("X-Request-ID"))
            #expect(anonymous.json["detail"]?.stringValue?.contains("Authorization: Bearer") == true)

            let traced = try await server.request("GET", "/healthz", headers: [("X-Request-ID", "trace-42")], key: nil)
            #expect(traced.header("X-Request-ID") == "trace-42")
            let tracedProblem = try await server.request("GET", "/api/datasets", headers: [("X-Request-ID", "trace-43")], key: nil)
            #expect(tracedProblem.header("X-Request-ID") == "trace-43")
            #expect(tracedProblem.json["request_id"]?.stringValue == "trace-43")
            #expect(tracedProblem.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let insane = try await server.request("GET", "/healthz", headers: [("X-Request-ID", "has spaces and {braces}")], key: nil)
            #expect(insane.header("X-Request-ID") != "has spaces and {braces}")
        }
    }

    @Test func apiKeysAreExchangedForTokens() async throws {
        try await withServer { server in
            let issued = try await server.request("POST", "/auth/token")
            #expect(issued.status == 200)
            let token = try #require(issued.json["access_token"]?.stringValue)
            #expect(issued.json["expires_in"]?.numberValue ?? 0 > 3000)
            let whoami = try await server.request("GET", "/auth/whoami", key: token)
            #expect(whoami.json["subject"]?.stringValue == "apikey:bootstrap-admin")
            #expect(whoami.json["role"]?.stringValue == "admin")

            // A token is not exchanged for another token.
            #expect(try await server.request("POST", "/auth/token", key: token).status == 403)
        }
    }

    /// Bad credentials: each refused with 401 and a reason.
    static let badCredentials: [(String, String)] = [
        ("not-a-key-at-all", "unknown or revoked API key"),
        ("dpt.eyJzdWIiOiJ4In0.AAAA", "signature does not match"),
        ("dpt.garbage", "not a DataPilot token"),
    ]

    @Test func badCredentialsAreRefused() async throws {
        try await withServer { server in
            for (credential, reason) in Self.badCredentials {
                let response = try await server.request("GET", "/api/datasets", key: credential)
                #expect(response.status == 401, "\(credential)")
                #expect(response.json["detail"]?.stringValue?.contains(reason) == true, "\(credential): \(response.text)")
                #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            }
            let malformed = try await server.request("GET", "/api/datasets", headers: [("Authorization", "Basic abc")], key: nil)
            #expect(malformed.status == 401)
        }
    }

    @Test func aForgedTokenWithAnotherRoleIsRefused() async throws {
        try await withServer { server in
            let viewer = try await server.key(role: "viewer")
            let token = try #require(try await server.request("POST", "/auth/token", key: viewer).json["access_token"]?.stringValue)
            let parts = token.split(separator: ".")
            let payload = String(decoding: Data(base64Encoded: String(parts[1]).padded)!, as: UTF8.self)
                .replacingOccurrences(of: "viewer", with: "admin")
            let forged =
                "dpt."
                + Data(payload.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") + "." + parts[2]
            #expect(try await server.request("GET", "/auth/whoami", key: forged).status == 401)
            #expect(try await server.request("GET", "/auth/whoami", key: token).json["role"]?.stringValue == "viewer")
        }
    }

    @Test func revokedKeysStopWorking() async throws {
        try await withServer { server in
            let created = try await server.request("POST", "/auth/api-keys", json: #"{"name": "ci", "role": "editor"}"#)
            let key = try #require(created.json["key"]?.stringValue)
            let id = try #require(created.json["id"]?.stringValue)
            #expect(try await server.request("GET", "/api/datasets", key: key).status == 200)
            #expect(try await server.request("DELETE", "/auth/api-keys/\(id)").status == 204)
            #expect(try await server.request("GET", "/api/datasets", key: key).status == 401)
            #expect(try await server.request("DELETE", "/auth/api-keys/\(id)").status == 404)
            let listed = try await server.request("GET", "/auth/api-keys")
            #expect(!listed.text.contains(key), "secrets are never listed")
        }
    }

    /// Every role against every route: allowed means neither 401 nor 403.
    @Test func rbacMatrix() async throws {
        try await withServer { server in
            let keys: [String: String?] = [
                "none": nil, "viewer": try await server.key(role: "viewer"),
                "editor": try await server.key(role: "editor"), "executor": try await server.key(role: "executor"),
                "admin": TestServer.adminKey,
            ]
            _ = try await server.request("POST", "/api/datasets", json: dataset("fixture"))
            _ = try await server.request("POST", "/api/datasets/fixture/versions/upload?name=fixture-v", body: .bytes(Array("a\n".utf8)))
            _ = try await server.request("POST", "/api/qualityrules", json: qualityRule("fixture-rule", dataset: "fixture"))
            _ = try await server.request("POST", "/api/experiments", json: experiment("fixture-exp"))
            _ = try await server.request("POST", "/api/runs", json: run("fixture-run", experiment: "fixture-exp"))
            _ = try await server.request("PUT", "/api/applysets/fixture-set", json: #"{"members": []}"#)
            let version =
                #"{"metadata": {"name": "fixture-v", "labels": {"m": "x"}}, "spec": {"dataset": "fixture", "source": {"path": "a.csv"}}}"#
            let routes: [(method: String, path: String, json: String?, least: String)] = [
                ("GET", "/healthz", nil, "none"),
                ("GET", "/readyz", nil, "none"),
                ("GET", "/api/datasets", nil, "viewer"),
                ("GET", "/api/datasets/fixture", nil, "viewer"),
                ("GET", "/api/datasets/fixture/versions", nil, "viewer"),
                ("GET", "/api/audit/events", nil, "viewer"),
                ("GET", "/api/audit/verify", nil, "viewer"),
                (
                    "POST", "/api/audit/syncs",
                    #"{"source": "matrix", "commit": "\#(String(repeating: "a", count: 40))", "result": "synced"}"#,
                    // A provenance claim: a key with the provenance scope (the bootstrap admin key has it).
                    "admin"
                ),
                ("GET", "/api/lineage/graph?node=dataset/fixture", nil, "viewer"),
                ("GET", "/auth/whoami", nil, "viewer"),
                ("POST", "/auth/token", nil, "viewer"),
                ("POST", "/api/datasets", dataset("matrix-x"), "editor"),
                ("PUT", "/api/datasets/fixture", dataset("fixture", format: "jsonl"), "editor"),
                ("POST", "/api/datasets/fixture/versions/upload?name=matrix-v", nil, "editor"),
                ("DELETE", "/api/datasets/does-not-exist", nil, "editor"),
                ("GET", "/api/datasetversions", nil, "viewer"),
                ("GET", "/api/datasets/fixture/versions/fixture-v", nil, "viewer"),
                ("GET", "/api/datasets/fixture/versions/fixture-v/download", nil, "viewer"),
                ("POST", "/api/datasets/fixture/versions", externalVersion("matrix-ext", dataset: "fixture"), "editor"),
                ("PUT", "/api/datasets/fixture/versions/fixture-v", version, "editor"),
                ("GET", "/api/qualityrules", nil, "viewer"),
                ("GET", "/api/qualityrules/fixture-rule", nil, "viewer"),
                ("POST", "/api/qualityrules", qualityRule("matrix-rule", dataset: "fixture"), "editor"),
                ("PUT", "/api/qualityrules/fixture-rule", qualityRule("fixture-rule", dataset: "fixture", severity: "warn"), "editor"),
                ("DELETE", "/api/qualityrules/does-not-exist", nil, "editor"),
                ("GET", "/api/experiments", nil, "viewer"),
                ("GET", "/api/experiments/fixture-exp", nil, "viewer"),
                ("POST", "/api/experiments", experiment("matrix-exp"), "editor"),
                ("PUT", "/api/experiments/fixture-exp", experiment("fixture-exp", metric: "f1"), "editor"),
                ("DELETE", "/api/experiments/does-not-exist", nil, "editor"),
                ("GET", "/api/runs", nil, "viewer"),
                ("GET", "/api/runs/fixture-run", nil, "viewer"),
                ("POST", "/api/runs", run("matrix-run", experiment: "fixture-exp"), "editor"),
                ("PUT", "/api/runs/fixture-run", run("fixture-run", experiment: "fixture-exp", description: "changed"), "editor"),
                ("DELETE", "/api/runs/does-not-exist", nil, "editor"),
                ("GET", "/api/experiment-runs/fixture-run", nil, "viewer"),
                ("GET", "/api/experiments/fixture-exp/runs", nil, "viewer"),
                ("POST", "/api/experiments/fixture-exp/runs", #"{"name": "matrix-run-2"}"#, "editor"),
                ("PUT", "/api/experiment-runs/fixture-run/tags", #"{"tags": {"a": "b"}}"#, "editor"),
                ("POST", "/api/experiment-runs/fixture-run/metrics", #"{"metrics": [{"key": "a", "value": 1, "timestamp": 1}]}"#, "editor"),
                ("GET", "/api/experiment-runs/fixture-run/metrics", nil, "viewer"),
                ("GET", "/api/experiment-runs/fixture-run/metrics/a", nil, "viewer"),
                ("POST", "/api/experiment-runs/fixture-run/events", #"{"events": [{"message": "x"}]}"#, "editor"),
                ("GET", "/api/experiment-runs/fixture-run/events", nil, "viewer"),
                ("GET", "/api/experiment-runs/fixture-run/artifacts", nil, "viewer"),
                ("GET", "/api/experiment-runs/fixture-run/evidence-bundles", nil, "viewer"),
                ("POST", "/api/experiment-runs/fixture-run/heartbeat", nil, "editor"),
                ("POST", "/api/experiments/runs:execute", #"{"run": "does-not-exist"}"#, "executor"),
                (
                    "POST", "/api/runs",
                    #"{"metadata": {"name": "matrix-exec"}, "spec": {"experiment": "does-not-exist", "command": ["true"], "execute": true}}"#,
                    "executor"
                ),
                ("GET", "/api/evaluations", nil, "viewer"),
                ("POST", "/api/evaluations", #"{"datasetVersion": "does-not-exist"}"#, "editor"),
                ("POST", "/api/evaluations/dry-run", qualityRule("matrix-dry", dataset: "fixture"), "viewer"),
                ("PUT", "/api/experiment-runs/fixture-run/state", #"{"state": "CANCELLED"}"#, "editor"),
                ("POST", "/api/experiment-runs/fixture-run/cancel", nil, "editor"),
                ("GET", "/api/applysets", nil, "viewer"),
                ("GET", "/api/applysets/fixture-set", nil, "viewer"),
                ("PUT", "/api/applysets/fixture-set", #"{"members": ["dataset/fixture"]}"#, "editor"),
                ("DELETE", "/api/applysets/does-not-exist", nil, "editor"),
                ("GET", "/auth/api-keys", nil, "admin"),
                ("POST", "/auth/api-keys", #"{"name": "m", "role": "viewer"}"#, "admin"),
                ("DELETE", "/auth/api-keys/nope", nil, "admin"),
            ]
            let order = ["none", "viewer", "editor", "executor", "admin"]
            for route in routes {
                for role in order {
                    let response = try await server.request(
                        route.method, route.path, json: route.json,
                        body: route.json == nil && route.method == "POST" ? .bytes(Array("x".utf8)) : nil,
                        key: keys[role]!)
                    let allowed = order.firstIndex(of: role)! >= order.firstIndex(of: route.least)!
                    let denied = response.status == 401 || response.status == 403
                    #expect(allowed != denied, "\(role) \(route.method) \(route.path) -> \(response.status) \(response.text)")
                    if !allowed { #expect(response.status == (role == "none" ? 401 : 403)) }
                }
            }
        }
    }
}

extension String {
    var padded: String {
        var s = replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return s
    }
}
