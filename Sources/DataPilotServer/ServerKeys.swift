import Evidence
import Experiments
import Foundation
import Gateway
import Logging
import Postgres
import ServiceKit
import Settings
import SigningKeys

/// The server's signing keys: token keys (Gateway) and evidence keys (Experiments), from key
/// files or the environment, or generated under `<data-dir>/keys/` for a single process that is
/// given none. Never from the database (docs/operations.md, "Rotating signing keys").
enum ServerKeys {
    static func load(_ configuration: ServerConfiguration, pool: ConnectionPool, logger: Logger) async throws -> (
        TokenAuthority, EvidenceKeyring
    ) {
        let environment = ProcessInfo.processInfo.environment
        let token = SigningKeyStore(
            kind: .token, file: configuration.tokenSigningKeysFile, inline: environment[SigningKeyKind.token.variable],
            dataDirectory: configuration.dataDirectory)
        let evidence = SigningKeyStore(
            kind: .evidence, file: configuration.evidenceSigningKeysFile,
            inline: environment[SigningKeyKind.evidence.variable], dataDirectory: configuration.dataDirectory)
        // Experiments signs evidence bundles, audit signs checkpoints of the chain, with the same keys.
        let signsEvidence = configuration.runs(.experiments) || configuration.runs(.audit)
        // Processes of a split deployment must share their keys; keys made up by each would not match.
        if !configuration.services.contains(.all) {
            let services = configuration.services.map(\.rawValue).sorted().joined(separator: ",")
            for store in [token] + (signsEvidence ? [evidence] : []) where !store.isConfigured {
                throw SettingError(
                    """
                    this process runs only some services (--service \(services)), so it cannot make up \(store.kind.rawValue) signing keys of \
                    its own: give every process the same \(store.kind.fileSetting) (or \(store.kind.variable)); make a key with \
                    `dpctl keys generate --type \(store.kind.rawValue)`
                    """)
            }
        }
        let credentials = TokenAuthority(
            keys: try await token.load(pool: pool, logger: logger),
            tokenLifetime: TimeInterval(configuration.tokenLifetimeSeconds),
            revocationCheckSeconds: Double(configuration.revocationCheckSeconds))
        // Only the Experiments and Audit services sign; other processes never touch the evidence keys.
        let keyring =
            signsEvidence ? try EvidenceKeyring(try await evidence.load(pool: pool, logger: logger)) : .generated()
        return (credentials, keyring)
    }
}
