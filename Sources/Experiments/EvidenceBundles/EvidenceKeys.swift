import Evidence
import ServiceKit
import SigningKeys

extension EvidenceKeyring {
    /// The keyring of a key file's keys (`SigningKeyStore` with kind `.evidence`).
    public init(_ keys: SigningKeySet) throws {
        let signer = keys.signer.id
        self.init(
            members: try keys.entries.map { entry in
                Member(id: entry.id, key: try EvidenceKey(raw: entry.bytes), signs: entry.id == signer)
            })
    }
}
