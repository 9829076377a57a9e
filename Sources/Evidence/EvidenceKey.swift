import Crypto
import Foundation
import Manifests

/// The server's Ed25519 evidence signing key. Kept as raw bytes (the key type is not Sendable).
public struct EvidenceKey: Sendable {
    let raw: [UInt8]

    public init(raw: [UInt8]) throws {
        _ = try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        self.raw = raw
    }

    public static func generate() -> EvidenceKey {
        // A fresh key's raw bytes are always a valid key.
        try! EvidenceKey(raw: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    /// The private key, for storing it (never logged, never served).
    public var rawBytes: [UInt8] { raw }

    var privateKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: raw) }

    public var publicKeyBytes: [UInt8] { Array(privateKey.publicKey.rawRepresentation) }

    /// `sha256:<hex of the raw public key>`.
    public var keyid: String { Self.keyid(publicKey: publicKeyBytes) }

    public static func keyid(publicKey: [UInt8]) -> String { "sha256:" + Hex.encode(SHA256.hash(data: publicKey)) }

    /// The well-known document that publishes the public key.
    public var publicJSON: JSONValue {
        ["keys": [["keyid": .string(keyid), "algorithm": "ed25519", "publicKey": .string(Data(publicKeyBytes).base64EncodedString())]]]
    }

    /// Public keys by keyid from a well-known document.
    public static func publicKeys(from document: JSONValue) throws -> [String: Curve25519.Signing.PublicKey] {
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        for item in document["keys"]?.arrayValue ?? [] {
            guard item["algorithm"]?.stringValue == "ed25519", let text = item["publicKey"]?.stringValue,
                let bytes = Data(base64Encoded: text), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
            else { continue }
            // The keyid is recomputed, never trusted from the document.
            keys[keyid(publicKey: Array(bytes))] = key
        }
        guard !keys.isEmpty else { throw EvidenceError(.unknownKey, "the key document lists no Ed25519 public key") }
        return keys
    }
}

public struct EvidenceError: Error, CustomStringConvertible, Sendable {
    public struct Code: Sendable, Hashable {
        let raw: String
        public static let malformed = Code(raw: "malformed")
        public static let unknownKey = Code(raw: "unknownKey")
        public static let badSignature = Code(raw: "badSignature")
    }

    public var code: Code
    public var description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
