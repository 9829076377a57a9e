import Crypto
import Evidence
import Foundation
import Manifests

/// A signed statement of the chain's head: "entry `sequence` hashes to `hash`", made at `time`
/// with the evidence key `keyID`. It travels as a DSSE envelope whose payload type is its own,
/// so a checkpoint signature can never pass for an evidence statement's or the other way round.
/// Whoever holds the public key can then tell a chain cut short or recomputed from the one the
/// server signed, without trusting the server or its database.
public struct AuditCheckpoint: Sendable, Equatable {
    public static let payloadType = "application/vnd.datapilot.audit-checkpoint+json"
    public static let statementType = "https://datapilot.dev/audit-checkpoint/v1"

    public var sequence: Int64
    public var hash: String
    /// When it was signed (ISO 8601 in UTC with microseconds).
    public var time: String
    /// The operator's id of the signing key (from the key file).
    public var keyID: String

    public init(sequence: Int64, hash: String, time: String, keyID: String) {
        self.sequence = sequence
        self.hash = hash
        self.time = time
        self.keyID = keyID
    }

    /// What is signed, in canonical JSON.
    public var payload: JSONValue {
        [
            "_type": .string(Self.statementType), "sequence": .int(sequence), "hash": .string(hash), "time": .string(time),
            "key_id": .string(keyID),
        ]
    }

    /// Signs the checkpoint with `key`.
    public func signed(with key: EvidenceKey) throws -> SignedAuditCheckpoint {
        let body = payload.canonicalJSON
        let privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: key.rawBytes)
        let signature = try privateKey.signature(for: Envelope.pae(Self.payloadType, body))
        return SignedAuditCheckpoint(
            checkpoint: self, envelope: Envelope(payloadType: Self.payloadType, payload: body, signatures: [(key.keyid, Array(signature))]))
    }
}

/// A checkpoint with its envelope, as the server stores and serves it.
public struct SignedAuditCheckpoint: Sendable, Equatable {
    /// What the envelope says; trusted only once `verified(keys:)` has passed.
    public var checkpoint: AuditCheckpoint
    public var envelope: Envelope

    /// `{"sequence", "hash", "time", "key_id", "keyid", "envelope"}`: the fields for reading, the envelope for checking.
    public var json: JSONValue {
        [
            "sequence": .int(checkpoint.sequence), "hash": .string(checkpoint.hash), "time": .string(checkpoint.time),
            "key_id": .string(checkpoint.keyID), "keyid": .string(envelope.signatures.first?.keyid ?? ""), "envelope": envelope.json,
        ]
    }

    public init(checkpoint: AuditCheckpoint, envelope: Envelope) {
        self.checkpoint = checkpoint
        self.envelope = envelope
    }

    /// A checkpoint as `json` has it; the fields come from the envelope's payload, never from
    /// beside it. `path` names it in errors.
    public init(json: JSONValue, at path: String) throws(AuditChainError) {
        guard let envelopeJSON = json["envelope"] else { throw AuditChainError(.malformed, "\(path).envelope is missing") }
        do {
            envelope = try Envelope(json: envelopeJSON, at: "\(path).envelope")
        } catch {
            throw AuditChainError(.malformed, "\(error)")
        }
        guard envelope.payloadType == AuditCheckpoint.payloadType else {
            throw AuditChainError(
                .malformed, "\(path).envelope has payload type \(envelope.payloadType), not \(AuditCheckpoint.payloadType)")
        }
        guard case .success(let payload) = JSONText.parse(envelope.payload), payload["_type"]?.stringValue == AuditCheckpoint.statementType,
            case .int(let sequence)? = payload["sequence"], sequence >= 1, let hash = payload["hash"]?.stringValue,
            let time = payload["time"]?.stringValue, let keyID = payload["key_id"]?.stringValue
        else {
            throw AuditChainError(
                .malformed, "\(path).envelope's payload is not an audit checkpoint (_type, sequence, hash, time, key_id)")
        }
        checkpoint = AuditCheckpoint(sequence: sequence, hash: hash, time: time, keyID: keyID)
    }

    /// The checkpoint, if a signature by one of `keys` (by DSSE keyid, recomputed from the
    /// public key) holds over it.
    public func verified(keys: [String: Curve25519.Signing.PublicKey]) throws(AuditChainError) -> AuditCheckpoint {
        let message = Envelope.pae(envelope.payloadType, envelope.payload)
        let known = envelope.signatures.filter { keys[$0.keyid] != nil }
        guard !known.isEmpty else {
            throw AuditChainError(
                .unknownKey,
                "the checkpoint of entry \(checkpoint.sequence) is signed by \(envelope.signatures.map(\.keyid).joined(separator: ", ")), none of the pinned keys",
                sequence: checkpoint.sequence)
        }
        guard known.contains(where: { keys[$0.keyid]!.isValidSignature($0.sig, for: message) }) else {
            throw AuditChainError(
                .badSignature,
                "the checkpoint of entry \(checkpoint.sequence): its signature does not hold (it was changed after signing)",
                sequence: checkpoint.sequence)
        }
        return checkpoint
    }
}
