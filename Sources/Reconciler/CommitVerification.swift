/// How a source's commits must be signed before they are applied (`verify:` in the sources file,
/// like Flux's `verify`): the head commit's signature is checked against the source's own keys,
/// with `gpgv` (GPG) or `ssh-keygen -Y verify` (SSH). Off unless set.
public struct CommitVerification: Sendable, Hashable {
    /// Which commits are checked: only `head`, the commit the source's ref names.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case head
    }

    public enum Provider: String, Sendable, Hashable, CaseIterable {
        /// OpenPGP signatures (`git commit -S`), checked with `gpgv` against a keyring.
        case gpg
        /// SSH signatures (`gpg.format=ssh`), checked with `ssh-keygen -Y verify` against allowed signers.
        case ssh

        /// The program that checks this provider's signatures.
        var tool: String { self == .gpg ? "gpgv" : "ssh-keygen" }
        /// The armor line a signature of this provider starts with.
        var armor: String { self == .gpg ? "-----BEGIN PGP SIGNATURE-----" : "-----BEGIN SSH SIGNATURE-----" }
        var displayName: String { self == .gpg ? "GPG" : "SSH" }
        var aSignature: String { self == .gpg ? "a GPG signature" : "an SSH signature" }
    }

    public var mode: Mode
    public var provider: Provider
    /// The trusted keys: for `gpg` an OpenPGP keyring of public keys (armored blocks already
    /// dearmored), for `ssh` lines in ssh-keygen's allowed_signers format.
    public var keys: [UInt8]
    /// Where the keys were read from, for messages: `verify.keys-file (/run/secrets/signers.asc)`.
    public var keysOrigin: String

    public init(mode: Mode = .head, provider: Provider, keys: [UInt8], keysOrigin: String) {
        self.mode = mode
        self.provider = provider
        self.keys = keys
        self.keysOrigin = keysOrigin
    }
}

/// What a signature check concluded about one commit.
enum SignatureVerdict: Sendable, Equatable {
    /// Signed by a trusted key: who (`Name <email>` or the SSH principal) and which key.
    case trusted(signer: String)
    /// Unsigned, signed by an unknown key, or a bad signature: why, naming the key found.
    case refused(String)
}

/// A signature check that could not run (the tool is missing, a temporary folder could not be
/// made): the commit is neither trusted nor refused, and the sync is retried.
struct VerificationError: Error, Sendable, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
