import Crypto
import Foundation
import Manifests

/// A DSSE envelope (Dead Simple Signing Envelope): a payload, its type, and signatures over
/// the pre-authentication encoding of both, so a signature never covers ambiguous bytes.
public struct Envelope: Sendable, Equatable {
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    public var payloadType: String
    public var payload: [UInt8]
    public var signatures: [(keyid: String, sig: [UInt8])]

    public static func == (a: Envelope, b: Envelope) -> Bool {
        a.payloadType == b.payloadType && a.payload == b.payload
            && a.signatures.map(\.keyid) == b.signatures.map(\.keyid) && a.signatures.map(\.sig) == b.signatures.map(\.sig)
    }

    /// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
    public static func pae(_ type: String, _ body: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(type.utf8.count) \(type) \(body.count) ".utf8) + body
    }

    /// Signs `statement` (canonical JSON) with `key`.
    public static func sign(statement: JSONValue, with key: EvidenceKey) throws -> Envelope {
        let body = statement.canonicalJSON
        let signature = try key.privateKey.signature(for: pae(inTotoPayloadType, body))
        return Envelope(payloadType: inTotoPayloadType, payload: body, signatures: [(key.keyid, Array(signature))])
    }

    public var json: JSONValue {
        [
            "payloadType": .string(payloadType), "payload": .string(Data(payload).base64EncodedString()),
            "signatures": .array(signatures.map { ["keyid": .string($0.keyid), "sig": .string(Data($0.sig).base64EncodedString())] }),
        ]
    }

    public init(payloadType: String, payload: [UInt8], signatures: [(keyid: String, sig: [UInt8])]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    public init(json: JSONValue, at path: String) throws {
        guard let type = json["payloadType"]?.stringValue else { throw EvidenceError(.malformed, "\(path).payloadType is missing") }
        guard let text = json["payload"]?.stringValue, let payload = Data(base64Encoded: text) else {
            throw EvidenceError(.malformed, "\(path).payload is not base64")
        }
        guard let list = json["signatures"]?.arrayValue, !list.isEmpty else {
            throw EvidenceError(.malformed, "\(path).signatures is empty")
        }
        signatures = try list.enumerated().map { index, item in
            guard let keyid = item["keyid"]?.stringValue, let sig = item["sig"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else {
                throw EvidenceError(.malformed, "\(path).signatures[\(index)] needs a keyid and a base64 sig")
            }
            return (keyid, Array(sig))
        }
        payloadType = type
        self.payload = Array(payload)
    }

    /// The statement, if a signature by one of `keys` holds over it; otherwise why not.
    public func verifiedStatement(keys: [String: Curve25519.Signing.PublicKey], at path: String) throws -> JSONValue {
        guard payloadType == Self.inTotoPayloadType else {
            throw EvidenceError(.malformed, "\(path) has payload type \(payloadType), not \(Self.inTotoPayloadType)")
        }
        let message = Self.pae(payloadType, payload)
        let known = signatures.filter { keys[$0.keyid] != nil }
        guard !known.isEmpty else {
            throw EvidenceError(
                .unknownKey, "\(path) is signed by \(signatures.map(\.keyid).joined(separator: ", ")), none of the server's keys")
        }
        guard known.contains(where: { keys[$0.keyid]!.isValidSignature($0.sig, for: message) }) else {
            throw EvidenceError(
                .badSignature, "\(path): the signature does not match its payload (the statement was changed after signing)")
        }
        guard case .success(let statement) = JSONText.parse(payload) else {
            throw EvidenceError(.malformed, "\(path)'s payload is not JSON")
        }
        return statement
    }
}
