import AuditChain
import Evidence
import Manifests
import Testing

/// The chain walk and checkpoints in process: what `dpctl audit verify` and the server's verify
/// share, checked on chains built here, without a server or a database.
@Suite struct ChainWalkTests {
    /// `count` linked entries, as the server writes them.
    static func chain(_ count: Int) -> [AuditEntry] {
        var previous = AuditEntry.genesis
        return (1...count).map { index in
            var entry = AuditEntry(
                sequence: Int64(index), time: "2026-11-30T10:00:\(index < 10 ? "0" : "")\(index).000000Z", actor: "apikey:ada",
                action: "create", resource: "dataset/d\(index)", requestID: "r\(index)", outcome: "success", beforeDigest: nil,
                afterDigest: nil, diff: .object([]), source: ["tool": "dpctl apply"], previousHash: previous, hash: "")
            entry.hash = entry.computedHash
            entry.occurredAt = entry.time
            previous = entry.hash
            return entry
        }
    }

    /// Every hash and link recomputed from the first entry on, as someone without the key would.
    static func recomputed(_ entries: [AuditEntry]) -> [AuditEntry] {
        var previous = AuditEntry.genesis
        return entries.map { entry in
            var entry = entry
            entry.previousHash = previous
            entry.hash = entry.computedHash
            previous = entry.hash
            return entry
        }
    }

    /// The walk's verdict: nil when the chain verifies.
    static func verdict(_ entries: [AuditEntry], checkpoints: [AuditCheckpoint] = []) -> AuditChainError? {
        var walk = ChainWalk(checkpoints: checkpoints)
        do {
            for entry in entries { try walk.add(entry) }
            try walk.finish()
            return nil
        } catch {
            return error
        }
    }

    static func checkpoint(of entries: [AuditEntry], at sequence: Int64) -> AuditCheckpoint {
        AuditCheckpoint(sequence: sequence, hash: entries[Int(sequence) - 1].hash, time: "2026-11-30T11:00:00.000000Z", keyID: "k1")
    }

    @Test func anIntactChainVerifiesWithAndWithoutACheckpoint() {
        let entries = Self.chain(6)
        #expect(Self.verdict(entries) == nil)
        #expect(Self.verdict(entries, checkpoints: [Self.checkpoint(of: entries, at: 6)]) == nil)
        #expect(Self.verdict(entries, checkpoints: [Self.checkpoint(of: entries, at: 4)]) == nil, "entries after it are fine")
    }

    @Test func eachTamperingIsNamedAtItsEntry() {
        let entries = Self.chain(6)
        let checkpoint = Self.checkpoint(of: entries, at: 6)
        var edited = entries
        edited[2].actor = "apikey:mallory"
        var moved = entries
        moved[1].occurredAt = "2025-11-30T10:00:02.000000Z"
        var rewritten = entries
        rewritten[1].actor = "apikey:mallory"
        let cases: [(name: String, entries: [AuditEntry], code: AuditChainError.Code, sequence: Int64)] = [
            ("an edited entry", edited, .changed, 3),
            ("a deleted middle entry", entries.enumerated().filter { $0.offset != 3 }.map(\.element), .missing, 4),
            ("a deleted tail", Array(entries.prefix(4)), .truncated, 5),
            ("two entries swapped", [entries[0], entries[2], entries[1]] + entries[3...], .missing, 2),
            ("a moved timestamp", moved, .movedTime, 2),
            ("the whole chain recomputed without the key", Self.recomputed(rewritten), .rewritten, 6),
            ("an entry served twice", Array(entries.prefix(3)) + [entries[2]] + entries[3...], .outOfOrder, 3),
        ]
        for tampering in cases {
            let verdict = Self.verdict(tampering.entries, checkpoints: [checkpoint])
            #expect(verdict?.code == tampering.code, "\(tampering.name): \(verdict.map { "\($0)" } ?? "verified")")
            #expect(verdict?.sequence == tampering.sequence, "\(tampering.name): \(verdict.map { "\($0)" } ?? "verified")")
        }
        // Without a checkpoint, a recomputed chain or a cut tail cannot be told from a real one:
        // what the checkpoint is for.
        #expect(Self.verdict(Self.recomputed(rewritten)) == nil)
        #expect(Self.verdict(Array(entries.prefix(4))) == nil)
    }

    @Test func aCheckpointHoldsOnlyWithItsKeyAndUnchanged() throws {
        let entries = Self.chain(3)
        let key = EvidenceKey.generate()
        let other = EvidenceKey.generate()
        let signed = try Self.checkpoint(of: entries, at: 3).signed(with: key)
        let keys = try EvidenceKey.publicKeys(from: key.publicJSON)
        let read = try SignedAuditCheckpoint(json: signed.json, at: "checkpoint")
        #expect(try read.verified(keys: keys) == signed.checkpoint)

        let otherKeys = try EvidenceKey.publicKeys(from: other.publicJSON)
        do {
            _ = try read.verified(keys: otherKeys)
            Issue.record("a checkpoint verified with another key")
        } catch {
            #expect(error.code == .unknownKey, "\(error)")
        }
        // The same signature over another statement: the envelope's payload swapped for one
        // naming a later entry.
        var forged = signed
        forged.envelope.payload = AuditCheckpoint(sequence: 99, hash: entries[2].hash, time: "t", keyID: "k1").payload.canonicalJSON
        let swapped = try SignedAuditCheckpoint(json: forged.json, at: "forged")
        #expect(swapped.checkpoint.sequence == 99, "the fields come from the payload")
        do {
            _ = try swapped.verified(keys: keys)
            Issue.record("a swapped payload verified")
        } catch {
            #expect(error.code == .badSignature, "\(error)")
        }
    }

    @Test func anotherKindOfEnvelopeIsNotACheckpoint() throws {
        let entries = Self.chain(2)
        var signed = try Self.checkpoint(of: entries, at: 2).signed(with: EvidenceKey.generate())
        signed.envelope.payloadType = "application/vnd.in-toto+json"
        do {
            _ = try SignedAuditCheckpoint(json: signed.json, at: "bundle")
            Issue.record("an in-toto envelope was read as a checkpoint")
        } catch {
            #expect(error.code == .malformed && "\(error)".contains("payload type"), "\(error)")
        }
    }
}
