import Foundation
import GitSource

/// Checks one commit's signature against a source's trusted keys. `GPGVerifier` and
/// `SSHVerifier` run the real tools; `CommitVerification.verifier` picks one.
protocol SignatureVerifier: Sendable {
    /// Trusted (and by whom), or refused (and why, naming the key found). Throws only when the
    /// check could not run.
    func verify(_ signature: CommitSignature) async throws(VerificationError) -> SignatureVerdict
}

extension CommitVerification {
    var verifier: any SignatureVerifier {
        switch provider {
        case .gpg: GPGVerifier(keyring: keys, keysOrigin: keysOrigin)
        case .ssh: SSHVerifier(allowedSigners: keys, keysOrigin: keysOrigin)
        }
    }

    /// The verdict on `signature` (nil: the commit is unsigned), before any tool runs for what
    /// needs none: no signature, or one of the other provider's kind.
    func verdict(on signature: CommitSignature?, commit: String) async throws(VerificationError) -> SignatureVerdict {
        let short = commit.prefix(12)
        guard let signature else {
            return .refused(
                "commit \(short) is not signed; this source applies only commits with \(provider.aSignature) by a key in \(keysOrigin)"
            )
        }
        let text = String(decoding: signature.signature.prefix(64), as: UTF8.self)
        guard text.hasPrefix(provider.armor) else {
            let found =
                Provider.allCases.first { text.hasPrefix($0.armor) }.map(\.aSignature)
                ?? "a signature of another kind (\(text.split(separator: "\n").first.map(String.init) ?? "empty"))"
            return .refused(
                "commit \(short) carries \(found); this source verifies \(provider.displayName) signatures (verify.provider: \(provider.rawValue))"
            )
        }
        return try await verifier.verify(signature)
    }
}

extension String {
    /// The last non-empty line, for a tool's message.
    var lastLine: String {
        split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? "no message"
    }
}
