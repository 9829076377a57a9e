import APIModel
import Foundation
import Manifests
import Testing

@Suite struct AuditSyncTests {
    static let commit = String(repeating: "ab", count: 20)

    @Test func aSyncIsRecordedWithItsCommitAndCounts() async throws {
        try await withServer { server in
            let body = SyncEvent(
                source: "examples", commit: Self.commit, result: .synced, repository: "file:///repo", author: "Ada <ada@example.com>",
                message: "Add churn", counts: ["created": 3, "unchanged": 11])
            let response = try await server.request("POST", SyncEvent.route, json: body.json.jsonString())
            #expect(response.status == 204)
            let event = try #require(try await server.auditEvents("&action=sync").first)
            #expect(event["resource"] == "source/examples")
            #expect(event["source"]?["commit"]?.stringValue == Self.commit)
            #expect(event["source"]?["author"] == "Ada <ada@example.com>")
            #expect(event["diff"]?.jsonString().contains(#""created":3"#) == true, "\(event)")
            #expect(event["diff"]?.jsonString().contains("Add churn") == true, "\(event)")
            #expect(try await server.request("GET", "/api/audit/verify").json["valid"] == true)
        }
    }

    @Test func badSyncEventsAreRefusedAndNothingIsRecorded() async throws {
        let commit = Self.commit
        let cases: [(body: String, status: Int, names: String)] = [
            ("[]", 400, "JSON object"),
            (#"{"commit": "\#(commit)", "result": "synced"}"#, 422, "source"),
            (#"{"source": "Bad_Name", "commit": "\#(commit)", "result": "synced"}"#, 422, "source"),
            (#"{"source": "s", "commit": "abc", "result": "synced"}"#, 422, "commit"),
            (#"{"source": "s", "commit": "\#(commit)", "result": "done"}"#, 422, "result"),
            (#"{"source": "s", "commit": "\#(commit)", "result": "synced", "counts": {"created": -1}}"#, 422, "counts"),
            (#"{"source": "s", "commit": "\#(commit)", "result": "synced", "message": 3}"#, 422, "message"),
            (#"{"source": "s", "commit": "\#(commit)", "result": "synced", "signer": 3}"#, 422, "signer"),
            (
                #"{"source": "s", "commit": "\#(commit)", "result": "synced", "signer": "\#(String(repeating: "a", count: 600))"}"#, 422,
                "signer"
            ),
        ]
        try await withServer { server in
            for (body, status, names) in cases {
                let response = try await server.request("POST", "/api/audit/syncs", json: body)
                #expect(Int(response.status) == status, "\(body)")
                #expect(response.json["detail"]?.stringValue?.contains(names) == true, "\(body): \(response.json)")
            }
            #expect(try await server.auditEvents().isEmpty)
            let viewer = try await server.key(role: "viewer")
            let forbidden = try await server.request(
                "POST", "/api/audit/syncs", json: #"{"source": "s", "commit": "\#(Self.commit)", "result": "synced"}"#, key: viewer)
            #expect(forbidden.status == 403)
        }
    }

    /// One event by its sequence, as `dpctl evidence verify` reads an anchored entry.
    @Test func oneEventIsReadByItsSequence() async throws {
        try await withServer { server in
            let body = SyncEvent(source: "examples", commit: Self.commit, result: .failed, error: "x.yaml:3:1: bad")
            #expect(try await server.request("POST", SyncEvent.route, json: body.json.jsonString()).status == 204)
            let listed = try #require(try await server.auditEvents("&action=sync").first)
            let sequence = try #require(listed["sequence"]?.numberValue)
            let one = try await server.request("GET", "/api/audit/events/\(Int(sequence))")
            #expect(one.status == 200)
            #expect(one.json["hash"] == listed["hash"] && one.json["hash"] != nil, "\(one.json)")
            #expect(one.json["diff"]?.jsonString().contains("x.yaml:3:1") == true, "\(one.json)")
            for (path, status) in [("/api/audit/events/999999", 404), ("/api/audit/events/0", 400), ("/api/audit/events/abc", 400)] {
                let response = try await server.request("GET", path)
                #expect(Int(response.status) == status, "\(path): \(response.json)")
                #expect(response.json["detail"]?.stringValue?.isEmpty == false)
            }
            let anonymous = try await server.request("GET", "/api/audit/events/\(Int(sequence))", key: nil)
            #expect(anonymous.status == 401)
        }
    }
}
