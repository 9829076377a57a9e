import CLibGit2

extension CallbackContext {
    /// SSH host keys go to `access.hostKeyCheck`; anything else (TLS certificates) keeps libgit2's verdict.
    func checkCertificate(_ cert: UnsafeMutablePointer<git_cert>?, valid: Bool, host: String) -> Int32 {
        guard let cert, cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2, let check = access.hostKeyCheck else {
            return GIT_PASSTHROUGH.rawValue
        }
        let key = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        let kinds = key.type.rawValue
        var hostKey = HostKey(host: host)
        if kinds & GIT_CERT_SSH_RAW.rawValue != 0, let bytes = key.hostkey {
            hostKey.raw = Array(UnsafeRawBufferPointer(start: bytes, count: key.hostkey_len))
            hostKey.type = Self.keyTypeName(key.raw_type)
        }
        if kinds & GIT_CERT_SSH_SHA256.rawValue != 0 {
            hostKey.sha256 = withUnsafeBytes(of: key.hash_sha256) { Array($0) }
        }
        switch check(hostKey) {
        case .accept:
            return 0
        case .reject(let message):
            session.abort(.hostKeyRejected(message))
            return fail(GIT_ECERTIFICATE, message)
        }
    }

    static func keyTypeName(_ type: git_cert_ssh_raw_type_t) -> String? {
        switch type {
        case GIT_CERT_SSH_RAW_TYPE_RSA: "ssh-rsa"
        case GIT_CERT_SSH_RAW_TYPE_DSS: "ssh-dss"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256: "ecdsa-sha2-nistp256"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384: "ecdsa-sha2-nistp384"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: "ecdsa-sha2-nistp521"
        case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: "ssh-ed25519"
        default: nil
        }
    }
}
