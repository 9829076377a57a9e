import Foundation
import GitSource

/// Checks an SSH signature (namespace `git`) with `ssh-keygen -Y`: `find-principals` names the
/// allowed signer whose key made it, `verify` checks it for that principal. A key not among the
/// allowed signers is named by its fingerprint (`check-novalidate`, which trusts nothing).
struct SSHVerifier: SignatureVerifier {
    let allowedSigners: [UInt8]
    let keysOrigin: String

    func verify(_ signature: CommitSignature) async throws(VerificationError) -> SignatureVerdict {
        try await ToolRun.withFolder { folder throws(VerificationError) in
            let allowed = try ToolRun.write(allowedSigners, "allowed_signers", in: folder)
            let signatureFile = try ToolRun.write(signature.signature, "commit.sig", in: folder)
            let data = try ToolRun.write(signature.signedData, "commit.data", in: folder)
            let short = signature.commit.prefix(12)
            let found = try await ToolRun.run("ssh-keygen", ["-Y", "find-principals", "-s", signatureFile, "-f", allowed], in: folder)
            let principals = found.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            // An allowed_signers line may name several principals ("a@x,b@y"); -I takes one of them.
            guard found.status == 0, let principal = principals.first?.split(separator: ",").first.map(String.init) else {
                let unchecked = try await ToolRun.run(
                    "ssh-keygen", ["-Y", "check-novalidate", "-n", "git", "-s", signatureFile], in: folder, stdin: data)
                guard unchecked.status == 0, let key = Self.key(in: unchecked.stdout) else {
                    return .refused("commit \(short) has a bad SSH signature (ssh-keygen: \(unchecked.stderr.lastLine))")
                }
                return .refused("commit \(short) is signed by SSH key \(key), which is not among the allowed signers in \(keysOrigin)")
            }
            let verified = try await ToolRun.run(
                "ssh-keygen", ["-Y", "verify", "-f", allowed, "-I", principal, "-n", "git", "-s", signatureFile], in: folder, stdin: data)
            guard verified.status == 0, let key = Self.key(in: verified.stdout) else {
                return .refused(
                    "commit \(short) has a bad SSH signature for the allowed signer \(principal) (ssh-keygen: \(verified.stderr.lastLine))")
            }
            return .trusted(signer: "\(principal) (SSH key \(key))")
        }
    }

    /// `ED25519 SHA256:...` from ssh-keygen's `Good "git" signature [for P] with ED25519 key SHA256:...`.
    static func key(in output: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix("Good \"git\" signature") {
            let words = line.split(separator: " ").map(String.init)
            if let index = words.lastIndex(of: "key"), index > 0, index + 1 < words.count {
                return "\(words[index - 1]) \(words[index + 1])"
            }
        }
        return nil
    }
}
