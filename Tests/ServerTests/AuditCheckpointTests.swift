import AuditChain
import Crypto
import Evidence
import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

@testable import Audit

/// The audit chain checked from outside: each tampering done in Postgres directly, as someone
/// with database access would, and caught by `dpctl audit verify` with a pinned key, naming the entry.
@Suite struct AuditCheckpointTests {
    /// A tampering: what is done to the database, the entry the verdict must name and a phrase of its reason.
    struct Tampering: Sendable {
        var name: String
        var sequence: Int64
        var reason: String
        var apply: @Sendable (Connection) throws -> Void
        /// A write through the server after the tampering, if any.
        var then: String?

        init(_ name: String, sequence: Int64, reason: String, then: String? = nil, apply: @escaping @Sendable (Connection) throws -> Void) {
            self.name = name
            self.sequence = sequence
            self.reason = reason
            self.then = then
            self.apply = apply
        }
    }

    static func sql(_ text: String) -> @Sendable (Connection) throws -> Void {
        { connection in try connection.execute(script: text) }
    }

    /// With five entries signed by a checkpoint: every tampering the issue names, each undone before the next.
    @Test func everyTamperingIsCaughtWithAPinnedKey() async throws {
        try await withServer { server in
            for name in ["a1", "a2", "a3", "a4", "a5"] {
                #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201)
            }
            let head = Int64(try #require(try await server.auditEvents().last?["sequence"]?.numberValue))
            #expect(head >= 5)
            let signed = try await server.request("POST", "/api/audit/checkpoints")
            #expect(signed.status == 201 || signed.status == 200, "\(signed.text)")
            #expect(signed.json["sequence"]?.numberValue == Double(head), "\(signed.text)")
            let folder = try scratchFolder("audit-verify")
            defer { try? FileManager.default.removeItem(at: folder) }
            let keys = folder.appendingPathComponent("evidence-keys.json").path
            try Data(try await server.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).body).write(
                to: URL(fileURLWithPath: keys))
            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]

            let clean = try await dpctl(["audit", "verify", "--key", keys], environment: env)
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            #expect(
                clean.stdout.contains("Audit chain verified") && clean.stdout.contains("checkpoint of entry \(head)"), "\(clean.stdout)")

            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection { try $0.query("create table audit_backup as select * from audit_events") }
            let cases = [
                Tampering(
                    "an edited entry", sequence: 2, reason: "changed after it was written",
                    apply: Self.sql("update audit_events set actor = 'apikey:mallory' where sequence = 2")),
                Tampering(
                    "a deleted middle entry", sequence: 3, reason: "entry 3 is missing",
                    apply: Self.sql("delete from audit_events where sequence = 3")),
                Tampering(
                    "a deleted tail", sequence: head - 1, reason: "were deleted",
                    apply: Self.sql("delete from audit_events where sequence >= \(head - 1)")),
                // exclude_tool filters on source.tool: inside the hash like every filtered column.
                Tampering(
                    "a changed source tool", sequence: 4, reason: "changed after it was written",
                    apply: Self.sql(#"update audit_events set source = source || '{"tool": "dpctl reconcile"}' where sequence = 4"#)),
                Tampering(
                    "a moved timestamp", sequence: 2, reason: "occurred_at",
                    apply: Self.sql("update audit_events set occurred_at = occurred_at - interval '1 year' where sequence = 2")),
                Tampering(
                    "reordered entries", sequence: 2, reason: "does not link",
                    apply: Self.sql(
                        """
                        update audit_events set sequence = -1 where sequence = 2;
                        update audit_events set sequence = 2 where sequence = 3;
                        update audit_events set sequence = 3 where sequence = -1;
                        """)),
                Tampering(
                    "the chain recomputed without the key", sequence: head, reason: "rewritten",
                    apply: { try Self.recompute(from: 2, on: $0) }),
                // The next write takes the deleted entry's sequence.
                Tampering(
                    "the tail replaced by a new write", sequence: head, reason: "rewritten", then: "a6",
                    apply: Self.sql("delete from audit_events where sequence = \(head)")),
            ]
            for tampering in cases {
                try await pool.withConnection { try tampering.apply($0) }
                if let name = tampering.then {
                    #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201)
                }
                let verdict = try await dpctl(["audit", "verify", "--key", keys, "-o", "json"], environment: env)
                #expect(verdict.status == 1, "\(tampering.name): \(verdict.stdout)\(verdict.stderr)")
                let json = try #require(try? JSONText.parse(verdict.stdout).get(), "\(tampering.name): \(verdict.stdout)")
                #expect(json["verified"]?.boolValue == false, "\(tampering.name)")
                #expect(json["broken_sequence"]?.numberValue == Double(tampering.sequence), "\(tampering.name): \(verdict.stdout)")
                #expect(json["reason"]?.stringValue?.contains(tampering.reason) == true, "\(tampering.name): \(verdict.stdout)")
                // The server's own check agrees, checkpoint included (a cut-off tail no longer verifies).
                let own = try await server.request("GET", "/api/audit/verify")
                #expect(own.json["valid"]?.boolValue == false, "\(tampering.name): \(own.text)")
                try await pool.withConnection {
                    try $0.execute(script: "delete from audit_events; insert into audit_events select * from audit_backup")
                }
            }
            let restored = try await dpctl(["audit", "verify", "--key", keys], environment: env)
            #expect(restored.status == 0, "\(restored.stdout)\(restored.stderr)")
        }
    }

    /// What someone with write access but without the key can do: change entry `first` and
    /// recompute every hash and link after it, so the chain verifies on its own.
    static func recompute(from first: Int64, on connection: Connection) throws {
        var previous = try connection.query("select hash from audit_events where sequence = $1", [String(first - 1)]).first!["hash"]!
        for var event in try AuditLog.events(AuditFilter(afterSequence: first - 1, limit: 10_000), on: connection) {
            if event.sequence == first { event.actor = "apikey:mallory" }
            event.previousHash = previous
            event.hash = AuditLog.hash(of: event)
            try connection.query(
                "update audit_events set actor = $1, previous_hash = $2, hash = $3 where sequence = $4",
                [event.actor, event.previousHash, event.hash, String(event.sequence)])
            previous = event.hash
        }
    }

    /// The object store's copy outlives the checkpoint rows: the tail cut off after they were
    /// deleted is still caught, and the server refuses to sign the shortened chain.
    @Test func theCheckpointSurvivesDeletedRows() async throws {
        try await withServer { server in
            for name in ["b1", "b2", "b3"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            let signed = try await server.request("POST", "/api/audit/checkpoints")
            let head = try #require(signed.json["sequence"]?.numberValue, "\(signed.text)")
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection {
                try $0.execute(script: "delete from audit_checkpoints; delete from audit_events where sequence = \(Int(head))")
            }
            let listed = try await server.request("GET", "/api/audit/checkpoints")
            #expect(listed.json["items"]?.arrayValue?.isEmpty == true, "the rows are gone: \(listed.text)")
            let latest = try await server.request("GET", "/api/audit/checkpoints/latest")
            #expect(latest.status == 200 && latest.json["sequence"]?.numberValue == head, "\(latest.text)")
            let refused = try await server.request("POST", "/api/audit/checkpoints")
            #expect(refused.status == 409, "\(refused.text)")
            let verified = try await server.request("GET", "/api/audit/verify")
            #expect(
                verified.json["valid"]?.boolValue == false && verified.json["first_broken_sequence"]?.numberValue == head,
                "\(verified.text)")

            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]
            let verdict = try await dpctl(["audit", "verify", "--trust-server-key", "-o", "json"], environment: env)
            #expect(verdict.status == 1, "\(verdict.stdout)\(verdict.stderr)")
            let json = try #require(try? JSONText.parse(verdict.stdout).get())
            #expect(json["broken_sequence"]?.numberValue == head, "\(verdict.stdout)")
        }
    }

    /// Review finding: a newest checkpoint whose signature does not hold (a row written with a
    /// made-up sequence) must not count as "no checkpoint". If it did, the server would walk a
    /// rewritten chain from its first entry, call it valid and sign its head; deleting the row
    /// afterwards would leave a forged chain with a genuine signature.
    @Test func aForgedNewestCheckpointSwitchesNothingOff() async throws {
        try await withServer { server in
            for name in ["f1", "f2", "f3"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            let genuine = try await server.request("POST", "/api/audit/checkpoints")
            let head = Int64(try #require(genuine.json["sequence"]?.numberValue, "\(genuine.text)"))
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            // Rewrite history below the checkpoint, recompute the chain, and put a checkpoint of
            // entry 10^15 signed by some other key on top.
            let forged = try AuditCheckpoint(sequence: 1_000_000_000_000_000, hash: "0", time: "2026-11-30T00:00:00.000000Z", keyID: "k")
                .signed(with: EvidenceKey.generate())
            try await pool.withConnection { connection in
                try Self.recompute(from: 2, on: connection)
                try connection.query(
                    "insert into audit_checkpoints (sequence, hash, time_text, key_id, document) values ($1, '0', 't', 'k', $2)",
                    [String(forged.checkpoint.sequence), forged.json.jsonString()])
            }
            let verified = try await server.request("GET", "/api/audit/verify")
            #expect(verified.json["valid"]?.boolValue == false, "\(verified.text)")
            #expect(verified.json["reason"]?.stringValue?.contains("does not verify") == true, "\(verified.text)")
            let refused = try await server.request("POST", "/api/audit/checkpoints")
            #expect(refused.status == 409, "nothing is signed while the newest checkpoint does not verify: \(refused.text)")
            // The forged row removed again: the genuine checkpoint still catches the rewrite.
            try await pool.withConnection { try $0.execute(script: "delete from audit_checkpoints where sequence > \(head)") }
            let after = try await server.request("GET", "/api/audit/verify")
            #expect(after.json["valid"]?.boolValue == false, "\(after.text)")
            let latest = try await server.request("GET", "/api/audit/checkpoints/latest")
            #expect(latest.json["sequence"]?.numberValue == Double(head), "no checkpoint of the forged chain was signed: \(latest.text)")
        }
    }

    /// Review finding: a checkpoint the auditor saved earlier is checked beside the server's
    /// newest, never instead of it, and a server whose checkpoints went back behind it is caught.
    @Test func aSavedCheckpointCatchesCheckpointsRolledBack() async throws {
        // Only the requests below sign once the service has signed its first checkpoint: with the
        // default minute, a slow machine let the service re-sign the head after the rollback.
        let settings = ["DATAPILOT_AUDIT_CHECKPOINT_EVENTS": "100000", "DATAPILOT_AUDIT_CHECKPOINT_SECONDS": "3600"]
        try await withServer(environment: settings) { server in
            for name in ["r1", "r2"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            _ = try await Self.checkpoint(on: server, reaching: 1)
            let first = try await server.request("POST", "/api/audit/checkpoints")
            let saved = Int64(try #require(first.json["sequence"]?.numberValue, "\(first.text)"))
            let folder = try scratchFolder("audit-rollback")
            defer { try? FileManager.default.removeItem(at: folder) }
            let savedFile = folder.appendingPathComponent("saved-checkpoint.json")
            try Data(try await server.request("GET", "/api/audit/checkpoints/latest").body).write(to: savedFile)
            let keys = folder.appendingPathComponent("evidence-keys.json")
            try Data(try await server.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).body).write(to: keys)
            #expect(try await server.request("POST", "/api/datasets", json: dataset("r3")).status == 201)
            #expect(try await server.request("POST", "/api/audit/checkpoints").status == 201)
            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]
            let arguments = ["audit", "verify", "--key", keys.path, "--checkpoint", savedFile.path]
            let both = try await dpctl(arguments, environment: env)
            #expect(both.status == 0, "the saved and the newest checkpoint both hold: \(both.stdout)\(both.stderr)")

            // Every checkpoint gone from Postgres and the object store: the saved one still stands.
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection { try $0.execute(script: "delete from audit_checkpoints") }
            try FileManager.default.removeItem(at: server.dataDirectory.appendingPathComponent("objects/audit/checkpoints"))
            let rolledBack = try await dpctl(arguments, environment: env)
            #expect(rolledBack.status == 1, "\(rolledBack.stdout)\(rolledBack.stderr)")
            #expect(
                (rolledBack.stdout + rolledBack.stderr).contains("rolled back") && rolledBack.stdout.contains("\(saved)"),
                "\(rolledBack.stdout)\(rolledBack.stderr)")
        }
    }

    /// Split into processes, the audit service signs with the evidence keys the deployment shares,
    /// so the key document the experiments service publishes verifies its checkpoints.
    @Test func theAuditServiceSignsWithTheSharedEvidenceKey() async throws {
        try await withServer(mode: .split) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("s1")).status == 201)
            let signed = try await server.request("POST", "/api/audit/checkpoints")
            #expect(signed.status == 201 || signed.status == 200, "\(signed.text)")
            let folder = try scratchFolder("audit-split")
            defer { try? FileManager.default.removeItem(at: folder) }
            let keys = folder.appendingPathComponent("evidence-keys.json")
            try Data(try await server.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).body).write(to: keys)
            let env = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]
            let verdict = try await dpctl(["audit", "verify", "--key", keys.path], environment: env)
            #expect(verdict.status == 0, "\(verdict.stdout)\(verdict.stderr)")
        }
    }

    /// Every N entries the service signs the head by itself (N = 3 here, the time limit an hour,
    /// so only the count can make the second checkpoint).
    @Test func theServiceSignsEveryNEntries() async throws {
        let settings = ["DATAPILOT_AUDIT_CHECKPOINT_EVENTS": "3", "DATAPILOT_AUDIT_CHECKPOINT_SECONDS": "3600"]
        try await withServer(environment: settings) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("n1")).status == 201)
            // The first write is signed soon after start (nothing was signed before).
            let first = try await Self.checkpoint(on: server, reaching: 1)
            #expect(first["envelope"]?["payloadType"]?.stringValue == "application/vnd.datapilot.audit-checkpoint+json", "\(first)")
            for name in ["n2", "n3", "n4"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            let head = try #require(try await server.auditEvents().last?["sequence"]?.numberValue)
            let second = try await Self.checkpoint(on: server, reaching: head)
            #expect(second["sequence"]?.numberValue == head, "\(second)")
        }
    }

    /// `?scope=since-checkpoint` checks the newest checkpoint's entry and every entry after it
    /// (what the UI shows on each page), not the history below it (what a full walk is for).
    @Test func theTailSinceTheCheckpointIsVerifiedOnItsOwn() async throws {
        let settings = ["DATAPILOT_AUDIT_CHECKPOINT_EVENTS": "100000", "DATAPILOT_AUDIT_CHECKPOINT_SECONDS": "3600"]
        try await withServer(environment: settings) { server in
            for name in ["t1", "t2"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            _ = try await Self.checkpoint(on: server, reaching: 1)
            #expect(try await server.request("POST", "/api/datasets", json: dataset("t3")).status == 201)
            let signed = try await server.request("POST", "/api/audit/checkpoints")
            let checkpoint = Int64(try #require(signed.json["sequence"]?.numberValue, "\(signed.text)"))
            for name in ["t4", "t5"] { #expect(try await server.request("POST", "/api/datasets", json: dataset(name)).status == 201) }
            let head = Int64(try #require(try await server.auditEvents().last?["sequence"]?.numberValue))
            #expect(head >= checkpoint + 2)

            let tail = try await server.request("GET", "/api/audit/verify?scope=since-checkpoint")
            #expect(tail.json["valid"]?.boolValue == true && tail.json["scope"]?.stringValue == "since-checkpoint", "\(tail.text)")
            #expect(tail.json["checkpoint_sequence"]?.numberValue == Double(checkpoint), "\(tail.text)")
            #expect(tail.json["checked"]?.numberValue == Double(head - checkpoint), "only the entries after it: \(tail.text)")
            #expect(tail.json["head_sequence"]?.numberValue == Double(head) && tail.json["checkpoint_time"]?.stringValue != nil)
            let full = try await server.request("GET", "/api/audit/verify")
            #expect(full.json["scope"]?.stringValue == "full" && full.json["checked"]?.numberValue == Double(head), "\(full.text)")

            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection { try $0.execute(script: "create table audit_backup as select * from audit_events") }
            let restore = "delete from audit_events; insert into audit_events select * from audit_backup"
            // An entry after the checkpoint edited, the checkpoint's own entry rewritten: both caught by the tail.
            for (sql, broken) in [
                ("update audit_events set actor = 'apikey:mallory' where sequence = \(checkpoint + 1)", checkpoint + 1),
                ("update audit_events set hash = 'sha256:00' where sequence = \(checkpoint)", checkpoint),
                ("delete from audit_events where sequence = \(checkpoint + 1)", checkpoint + 1),
            ] {
                try await pool.withConnection { try $0.execute(script: sql) }
                let caught = try await server.request("GET", "/api/audit/verify?scope=since-checkpoint")
                #expect(caught.json["valid"]?.boolValue == false, "\(sql): \(caught.text)")
                #expect(caught.json["first_broken_sequence"]?.numberValue == Double(broken), "\(sql): \(caught.text)")
                try await pool.withConnection { try $0.execute(script: restore) }
            }
            // Below the checkpoint: the tail does not look there; the full walk does.
            try await pool.withConnection { try $0.execute(script: "update audit_events set actor = 'apikey:mallory' where sequence = 1") }
            let below = try await server.request("GET", "/api/audit/verify?scope=since-checkpoint")
            #expect(below.json["valid"]?.boolValue == true, "\(below.text)")
            let walked = try await server.request("GET", "/api/audit/verify?scope=full")
            #expect(walked.json["valid"]?.boolValue == false && walked.json["first_broken_sequence"]?.numberValue == 1, "\(walked.text)")

            let bad = try await server.request("GET", "/api/audit/verify?scope=tail")
            #expect(bad.status == 400 && bad.text.contains("scope must be full or since-checkpoint"), "\(bad.text)")
        }
    }

    /// Waits (up to 90 s) for the latest checkpoint to reach entry `sequence`.
    static func checkpoint(on server: TestServer, reaching sequence: Double) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(90)
        var latest = JSONValue.null
        while ContinuousClock.now < deadline {
            latest = try await server.request("GET", "/api/audit/checkpoints/latest").json
            if let reached = latest["sequence"]?.numberValue, reached >= sequence { return latest }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("no checkpoint reached entry \(sequence) within 90 s; the latest: \(latest)")
        return latest
    }
}
