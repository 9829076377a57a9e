import Dispatch

/// How to reach a remote for one network operation: the credential to offer, the SSH host key
/// check, and the wall-clock deadline every callback enforces.
public struct RemoteAccess: Sendable {
    public enum Credential: Sendable, Hashable {
        case none
        /// HTTP(S) basic authentication; a token is a password.
        case password(username: String, password: String)
        case sshKeyFile(username: String, privateKeyPath: String, passphrase: String?)
        case sshKeyMemory(username: String, privateKey: String, passphrase: String?)
    }

    public var credential: Credential
    /// Decides on an SSH server's host key. Without it, libgit2's own default applies.
    public var hostKeyCheck: (@Sendable (HostKey) -> HostKeyVerdict)?
    /// Callbacks abort the operation once this has passed (libgit2 1.5 has no socket timeouts).
    public var deadline: DispatchTime
    /// How often the same credential is offered before the operation gives up.
    public var maxCredentialAttempts: Int

    public init(
        credential: Credential, hostKeyCheck: (@Sendable (HostKey) -> HostKeyVerdict)? = nil,
        deadline: DispatchTime, maxCredentialAttempts: Int = 1
    ) {
        self.credential = credential
        self.hostKeyCheck = hostKeyCheck
        self.deadline = deadline
        self.maxCredentialAttempts = maxCredentialAttempts
    }
}

/// An SSH server's host key as libssh2 reports it.
public struct HostKey: Sendable, Hashable {
    /// The host name from the URL.
    public var host: String
    /// OpenSSH's name for the key type (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...), when libgit2 gives the raw key.
    public var type: String?
    /// The key blob as in known_hosts (base64-decoded), when libgit2 gives it.
    public var raw: [UInt8]?
    /// SHA-256 of the key blob, when libgit2 gives it.
    public var sha256: [UInt8]?
}

public enum HostKeyVerdict: Sendable, Hashable {
    case accept
    /// Refuse, saying why (no secrets).
    case reject(String)
}
