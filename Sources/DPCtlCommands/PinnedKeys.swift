import ArgumentParser
import CLIKit
import Crypto
import Evidence
import Foundation
import Manifests

/// `--key FILE | --trust-server-key`: whose evidence keys a verification trusts. One of them is
/// required: a check against keys the checked server hands out proves only that the server
/// agrees with itself, so that has to be asked for by name (`dpctl evidence verify`,
/// `dpctl audit verify`).
struct PinnedKeys: ParsableArguments {
    @Option(help: "The pinned evidence keys: the server's /.well-known/datapilot/evidence-keys document, saved out of band.")
    var key: String?
    @Flag(help: "Take the evidence keys from the server being checked (it could vouch for what it forged).")
    var trustServerKey = false

    func validate() throws {
        if key == nil && !trustServerKey {
            throw ValidationError(
                "give the server's evidence keys with --key FILE (saved out of band from /.well-known/datapilot/evidence-keys), or --trust-server-key to take them from the server being checked"
            )
        }
        if key != nil && trustServerKey { throw ValidationError("give --key FILE or --trust-server-key, not both") }
    }

    /// The keys of `--key`, read; nil with `--trust-server-key`. A file that cannot be read or
    /// holds no keys exits 2, naming it.
    func pinned() throws -> [String: Curve25519.Signing.PublicKey]? {
        guard let key else { return nil }
        guard let data = FileManager.default.contents(atPath: key) else {
            throw CLIError("cannot read the key file \(key): it does not exist or is not readable", exitCode: 2)
        }
        guard case .success(let document) = JSONText.parse(Array(data)) else {
            throw CLIError("the key file \(key) is not JSON: save the server's /.well-known/datapilot/evidence-keys document", exitCode: 2)
        }
        do { return try EvidenceKey.publicKeys(from: document) } catch {
            throw CLIError("\(key): \(error); save the server's /.well-known/datapilot/evidence-keys document", exitCode: 2)
        }
    }
}
