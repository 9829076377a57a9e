import Foundation
import Manifests
import TestSupport
import Testing

/// Issue 16, item 2: provenance is asserted only by a principal the server trusts with it (an API
/// key with the `provenance` scope, as the reconciler's should be; the bootstrap admin key has
/// it, other admin keys do not). Anyone else's X-DataPilot-Source-* headers are kept as what they are, a claim,
/// and nothing that trusts provenance (lineage, drift's "who changed it", sync records) reads them.
@Suite("SecurityTests: provenance", .serialized) struct SecurityProvenanceTests {
    static let commit = String(repeating: "c", count: 40)
    static let forged: [(String, String)] = [
        ("X-DataPilot-Source-Tool", "dpctl reconcile"), ("X-DataPilot-Source-Commit", commit),
        ("X-DataPilot-Source-Author", "Somebody Else <else@example.com>"),
        ("X-DataPilot-Source-Repository", "https://git.example.com/ml/manifests.git"),
    ]

    @Test func anEditorsSourceHeadersAreAClaimNotTheRecord() async throws {
        try await withServer { server in
            let editor = try await server.key(role: "editor")
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn"), key: editor).status == 201)
            let forged = try await server.request(
                "PUT", "/api/datasets/churn", json: dataset("churn", format: "jsonl"), headers: Self.forged, key: editor)
            #expect(forged.status == 200, "\(forged.text)")

            let newest = try await server.request("GET", "/api/audit/events?resource=dataset/churn&order=desc&page_size=1").json
            let event = try #require(newest["items"]?[0])
            #expect(event["action"] == "update")
            #expect(event["actor"]?.stringValue?.hasPrefix("apikey:") == true)
            // The headers are kept, as a claim, and the record's source says nothing.
            #expect(event["source"]?["tool"] == nil && event["source"]?["commit"] == nil, "\(event)")
            #expect(event["source"]?["claimed"]?["tool"] == "dpctl reconcile", "\(event)")
            #expect(event["source"]?["claimed"]?["commit"]?.stringValue == Self.commit)

            // Drift's "who changed it" leaves out the appliers' writes; the claim does not hide the editor.
            let human = try await server.request(
                "GET", "/api/audit/events?resource=dataset/churn&order=desc&page_size=1&exclude_tool=dpctl%20reconcile"
            ).json
            #expect(human["items"]?[0]?["action"] == "update", "\(human)")
            #expect(human["items"]?[0]?["actor"] == event["actor"])

            // Lineage draws no edge from the claimed commit.
            let lineage = try await server.request("GET", "/api/lineage/graph?node=dataset/churn&direction=upstream").json
            #expect(!"\(lineage)".contains("commit/\(Self.commit)"), "\(lineage)")
        }
    }

    /// A person's admin key is not the reconciler either: its out-of-band edit with the appliers'
    /// tool name stays visible to drift (review finding).
    @Test func anAdminKeyWithoutTheScopeClaimsToo() async throws {
        try await withServer { server in
            let admin = try await server.key(role: "admin")
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let edit = try await server.request(
                "PUT", "/api/datasets/churn", json: dataset("churn", format: "jsonl"),
                headers: [("X-DataPilot-Source-Tool", "dpctl drift")], key: admin)
            #expect(edit.status == 200, "\(edit.text)")
            let human = try await server.request(
                "GET", "/api/audit/events?resource=dataset/churn&order=desc&page_size=1&exclude_tool=dpctl%20drift"
            ).json
            #expect(human["items"]?[0]?["action"] == "update", "the admin's edit is not hidden: \(human)")
            #expect(human["items"]?[0]?["source"]?["claimed"]?["tool"] == "dpctl drift")
            let sync = #"{"source": "examples", "commit": "\#(Self.commit)", "result": "synced"}"#
            #expect(try await server.request("POST", "/api/audit/syncs", json: sync, key: admin).status == 403)
        }
    }

    @Test func onlyAProvenancePrincipalRecordsSyncsAndDrift() async throws {
        try await withServer { server in
            let editor = try await server.key(role: "editor")
            let executor = try await server.key(role: "executor")
            let sync = #"{"source": "examples", "commit": "\#(Self.commit)", "result": "synced", "author": "A <a@example.com>"}"#
            let drift = #"{"source": "examples", "event": "detected", "object": "dataset/churn", "drift": "modified"}"#
            for key in [editor, executor] {
                for (path, body) in [("/api/audit/syncs", sync), ("/api/audit/drift", drift)] {
                    let refused = try await server.request("POST", path, json: body, key: key)
                    #expect(refused.status == 403, "\(path): \(refused.status) \(refused.text)")
                    #expect(refused.text.contains("provenance"), "says which scope is missing: \(refused.text)")
                }
            }
            let syncs = try await server.request("GET", "/api/audit/events?action=sync").json
            #expect(syncs["items"]?.arrayValue?.isEmpty == true, "nothing recorded: \(syncs)")
        }
    }

    @Test func aKeyWithTheProvenanceScopeAssertsIt() async throws {
        try await withServer { server in
            let created = try await server.request(
                "POST", "/auth/api-keys", json: #"{"name": "reconciler", "role": "editor", "scopes": ["provenance"]}"#)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["scopes"] == .array([.string("provenance")]))
            let reconciler = try #require(created.json["key"]?.stringValue)
            // Through a token as well: the scope travels with it.
            let token = try #require(
                try await server.request("POST", "/auth/token", key: reconciler).json["access_token"]?.stringValue)
            let whoami = try await server.request("GET", "/auth/whoami", key: token).json
            #expect(whoami["scopes"] == .array([.string("provenance")]), "\(whoami)")

            #expect(
                try await server.request("POST", "/api/datasets", json: dataset("churn"), headers: Self.forged, key: token).status == 201)
            let event = try #require(
                try await server.request("GET", "/api/audit/events?resource=dataset/churn&order=desc&page_size=1").json["items"]?[0])
            #expect(event["source"]?["tool"] == "dpctl reconcile" && event["source"]?["claimed"] == nil, "\(event)")
            let lineage = try await server.request("GET", "/api/lineage/graph?node=commit/\(Self.commit)&direction=downstream").json
            #expect("\(lineage)".contains("dataset/churn"), "\(lineage)")
            let sync = #"{"source": "examples", "commit": "\#(Self.commit)", "result": "synced"}"#
            #expect(try await server.request("POST", "/api/audit/syncs", json: sync, key: token).status == 204)
            let listed = try await server.request("GET", "/auth/api-keys").json["items"]?.arrayValue ?? []
            #expect(listed.contains { $0["name"] == "reconciler" && $0["scopes"] == .array([.string("provenance")]) }, "\(listed)")
        }
    }

    @Test func badScopesAreRefusedAndNoKeyIsMade() async throws {
        try await withServer { server in
            let cases: [(body: String, message: String)] = [
                (#"{"name": "k", "role": "editor", "scopes": ["provenance", "root"]}"#, #"scopes[1]: unknown scope "root""#),
                (#"{"name": "k", "role": "editor", "scopes": "provenance"}"#, "scopes: must be a list"),
                (#"{"name": "k", "role": "editor", "scopes": [7]}"#, "scopes[0]: must be a string"),
            ]
            for (body, message) in cases {
                let response = try await server.request("POST", "/auth/api-keys", json: body)
                #expect(response.status == 422, "\(body): \(response.status) \(response.text)")
                #expect(response.json["detail"]?.stringValue?.contains(message) == true, "\(body): \(response.text)")
            }
            let listed = try await server.request("GET", "/auth/api-keys").json["items"]?.arrayValue ?? []
            #expect(!listed.contains { $0["name"] == "k" }, "no key was made: \(listed)")
        }
    }
}
