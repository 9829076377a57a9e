import Crypto
import Foundation
import Manifests
import Postgres
import Testing

@testable import Audit

/// Tampering with the audit chain in Postgres directly, as someone with database access would.
@Suite struct AuditTamperTests {
    /// Moving an event's time column (what time-window queries filter on) hides it from a window;
    /// the chain names the entry, because occurred_at must equal the hashed time.
    @Test func aMovedTimestampIsDetected() async throws {
        try await withServer { server in
            for name in ["t1", "t2", "t3"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            #expect(try await server.request("GET", "/api/audit/verify").json["valid"]?.boolValue == true)
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection {
                try $0.query("update audit_events set occurred_at = occurred_at - interval '1 year' where sequence = 2")
            }
            let since = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400))
            let window = try await server.request("GET", "/api/audit/events?since=\(since)&resource=dataset/t2")
            #expect(window.json["items"]?.arrayValue?.isEmpty == true, "the move hides the event from a time window: \(window.text)")
            let verified = try await server.request("GET", "/api/audit/verify")
            #expect(verified.json["valid"]?.boolValue == false, "\(verified.text)")
            #expect(verified.json["first_broken_sequence"]?.numberValue == 2)
            #expect(verified.json["reason"]?.stringValue?.contains("occurred_at") == true, "\(verified.text)")
        }
    }

    /// Entries hashed before canonical JSON became RFC 8785 still verify; nothing else does.
    @Test func entriesHashedInTheEarlierCanonicalFormStillVerify() {
        var event = AuditEvent(
            sequence: 7, time: "2026-11-29T10:00:00.000000Z", actor: "apikey:a", action: "update", resource: "dataset/churn",
            requestID: "r", outcome: "success", beforeDigest: nil, afterDigest: nil,
            diff: ["b": .double(1e-7), "a": .string("\u{08}"), "\u{10000}": 1, "\u{FFFF}": 2], source: .object([]),
            previousHash: String(repeating: "0", count: 64), hash: "")
        event.hash = Hex.encode(SHA256.hash(data: event.hashedContent.legacyCanonicalJSON))
        #expect(event.hashedContent.legacyCanonicalJSON != event.hashedContent.canonicalJSON)
        #expect(AuditLog.hashMatches(event))
        event.hash = AuditLog.hash(of: event)
        #expect(AuditLog.hashMatches(event))
        event.actor = "apikey:mallory"
        #expect(!AuditLog.hashMatches(event))
    }
}
