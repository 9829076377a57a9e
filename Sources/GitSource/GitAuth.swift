/// The credential a source uses. Secrets are passed in by the caller (who reads them from files
/// or the environment) and never appear in errors or logs.
public enum GitAuth: Sendable, Hashable {
    case none
    /// HTTP(S) basic authentication; a token is a password.
    case basic(username: String, password: String)
    /// An SSH key from a file or from memory (one of the two), and the known_hosts file the
    /// server's host key must be listed in.
    case sshKey(username: String, privateKeyPath: String?, privateKey: String?, passphrase: String?, knownHostsPath: String)
}
