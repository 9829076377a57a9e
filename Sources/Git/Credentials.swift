import CLibGit2

extension CallbackContext {
    /// Answers libgit2's credential request, offering each credential at most
    /// `maxCredentialAttempts` times so a rejected login can never loop.
    func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, _ usernameFromURL: String?, _ allowed: UInt32)
        -> Int32
    {
        func allows(_ type: git_credential_t) -> Bool { allowed & type.rawValue != 0 }
        func reject(_ message: String) -> Int32 {
            session.abort(.credentialRejected(message))
            return fail(GIT_EAUTH, message)
        }
        func user(_ configured: String) -> String { configured.isEmpty ? (usernameFromURL ?? "") : configured }

        switch access.credential {
        case .none:
            return reject("the server asks for credentials and the source has none; configure a username and password or an SSH key")
        case .password(let username, let password):
            guard allows(GIT_CREDENTIAL_USERPASS_PLAINTEXT) else {
                return reject(
                    "the server does not accept a username and password here; use the credential type it expects (an SSH key for ssh:// URLs)"
                )
            }
            guard session.nextCredentialAttempt() <= access.maxCredentialAttempts else {
                return reject("the server rejected the password or token for user \"\(username)\"; check the credentials")
            }
            return git_credential_userpass_plaintext_new(out, username, password)
        case .sshKeyFile(let username, let path, let passphrase):
            let name = user(username)
            if allows(GIT_CREDENTIAL_USERNAME) && !allows(GIT_CREDENTIAL_SSH_KEY) {
                return git_credential_username_new(out, name)
            }
            guard allows(GIT_CREDENTIAL_SSH_KEY) else {
                return reject("the server does not accept SSH keys for user \"\(name)\"")
            }
            guard session.nextCredentialAttempt() <= access.maxCredentialAttempts else {
                return reject(
                    "the server rejected user \"\(name)\" with the SSH private key \(path); check the key is authorized for this user")
            }
            return git_credential_ssh_key_new(out, name, nil, path, passphrase)
        case .sshKeyMemory(let username, let key, let passphrase):
            let name = user(username)
            if allows(GIT_CREDENTIAL_USERNAME) && !allows(GIT_CREDENTIAL_SSH_MEMORY) && !allows(GIT_CREDENTIAL_SSH_KEY) {
                return git_credential_username_new(out, name)
            }
            guard allows(GIT_CREDENTIAL_SSH_MEMORY) || allows(GIT_CREDENTIAL_SSH_KEY) else {
                return reject("the server does not accept SSH keys for user \"\(name)\"")
            }
            guard session.nextCredentialAttempt() <= access.maxCredentialAttempts else {
                return reject(
                    "the server rejected user \"\(name)\" with the SSH private key given inline; check the key is authorized for this user")
            }
            return git_credential_ssh_key_memory_new(out, name, nil, key, passphrase)
        }
    }
}
