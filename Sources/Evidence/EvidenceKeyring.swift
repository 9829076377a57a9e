import Foundation
import Manifests

/// The server's evidence keys: the one that signs new bundles and every key that still verifies
/// old ones (kept for as long as their bundles matter, so in practice for good). Each has the
/// operator's id from the key file; envelopes name a key by its DSSE keyid, the sha256 of the
/// public key, which a verifier recomputes and never takes on trust.
public struct EvidenceKeyring: Sendable {
    public struct Member: Sendable {
        public var id: String
        public var key: EvidenceKey
        public var signs: Bool

        public init(id: String, key: EvidenceKey, signs: Bool) {
            self.id = id
            self.key = key
            self.signs = signs
        }
    }

    public var members: [Member]

    /// `members` must hold exactly one signing key first among those that sign.
    public init(members: [Member]) {
        precondition(members.contains { $0.signs }, "an evidence keyring needs a signing key")
        self.members = members
    }

    /// One freshly generated key (tests and tools).
    public static func generated(id: String = "evidence") -> EvidenceKeyring {
        EvidenceKeyring(members: [Member(id: id, key: .generate(), signs: true)])
    }

    public var signer: EvidenceKey { members.first { $0.signs }!.key }

    /// The well-known document: every verification key with its ids and use.
    public var publicJSON: JSONValue {
        [
            "keys": .array(
                members.map { member in
                    [
                        "keyid": .string(member.key.keyid), "id": .string(member.id), "algorithm": "ed25519",
                        "publicKey": .string(Data(member.key.publicKeyBytes).base64EncodedString()),
                        "use": .string(member.signs ? "sign" : "verify"),
                    ]
                })
        ]
    }
}
