import Dispatch
import Foundation
import Git

extension ValidatedSpec {
    /// The credential and host key check for one network operation ending at `deadline`.
    func access(_ auth: GitAuth, deadline: DispatchTime) -> RemoteAccess {
        switch auth {
        case .none:
            return RemoteAccess(credential: .none, deadline: deadline)
        case .basic(let username, let password):
            return RemoteAccess(credential: .password(username: username, password: password), deadline: deadline)
        case .sshKey(let username, let privateKeyPath, let privateKey, let passphrase, let knownHostsPath):
            let credential: RemoteAccess.Credential =
                if let privateKeyPath {
                    .sshKeyFile(username: username, privateKeyPath: privateKeyPath, passphrase: passphrase)
                } else {
                    .sshKeyMemory(username: username, privateKey: privateKey ?? "", passphrase: passphrase)
                }
            let port = self.port
            let check: @Sendable (HostKey) -> HostKeyVerdict = { key in
                guard let text = try? String(contentsOfFile: knownHostsPath, encoding: .utf8) else {
                    return .reject("cannot read known_hosts \(knownHostsPath); every SSH source needs one listing the server's host key")
                }
                return KnownHosts(path: knownHostsPath, text: text).verdict(for: key, port: port)
            }
            return RemoteAccess(credential: credential, hostKeyCheck: check, deadline: deadline)
        }
    }
}
