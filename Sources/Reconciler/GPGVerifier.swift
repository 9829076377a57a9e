import GitSource

/// Checks an OpenPGP signature with `gpgv` against the source's keyring, reading gpgv's
/// machine-readable status lines (`--status-fd`): every key in the keyring is trusted, no other.
struct GPGVerifier: SignatureVerifier {
    let keyring: [UInt8]
    let keysOrigin: String

    func verify(_ signature: CommitSignature) async throws(VerificationError) -> SignatureVerdict {
        try await ToolRun.withFolder { folder throws(VerificationError) in
            let keyringFile = try ToolRun.write(keyring, "trusted.gpg", in: folder)
            let signatureFile = try ToolRun.write(signature.signature, "commit.sig", in: folder)
            let dataFile = try ToolRun.write(signature.signedData, "commit.data", in: folder)
            let output = try await ToolRun.run(
                "gpgv", ["--homedir", folder.path, "--keyring", keyringFile, "--status-fd", "1", "--", signatureFile, dataFile],
                in: folder)
            return Self.verdict(output, commit: signature.commit, keysOrigin: keysOrigin)
        }
    }

    /// One `[GNUPG:] KEYWORD ARGS...` status line.
    struct Status {
        var keyword: String
        var arguments: [String]
        /// The arguments after the first, as one string (a user id after a key id).
        var rest: String { arguments.dropFirst().joined(separator: " ") }
    }

    static func statuses(_ text: String) -> [Status] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("[GNUPG:] ") else { return nil }
            let words = line.dropFirst("[GNUPG:] ".count).split(separator: " ").map(String.init)
            guard let keyword = words.first else { return nil }
            return Status(keyword: keyword, arguments: Array(words.dropFirst()))
        }
    }

    /// Trusted only when gpgv succeeded with exactly one signature, good and valid, and nothing
    /// bad, expired or revoked; otherwise refused, naming the key the signature claims.
    static func verdict(_ output: ToolRun.Output, commit: String, keysOrigin: String) -> SignatureVerdict {
        let lines = statuses(output.stdout)
        func all(_ keyword: String) -> [Status] { lines.filter { $0.keyword == keyword } }
        let short = commit.prefix(12)
        let (good, valid) = (all("GOODSIG"), all("VALIDSIG"))
        let problems = ["BADSIG", "ERRSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG"].flatMap(all)
        if all("NEWSIG").count > 1 {
            return .refused("commit \(short) carries \(all("NEWSIG").count) GPG signatures; exactly one is accepted")
        }
        if output.status == 0, problems.isEmpty, good.count == 1, valid.count == 1 {
            // VALIDSIG's tenth argument is the primary key's fingerprint (the first the signing key's).
            let fingerprint = valid[0].arguments.count > 9 ? valid[0].arguments[9] : valid[0].arguments.first ?? "?"
            return .trusted(signer: "\(good[0].rest) (GPG key \(fingerprint))")
        }
        if let error = all("ERRSIG").first {
            // ERRSIG KEYID PKALGO HASHALGO CLASS TIME RC [FINGERPRINT]; RC 9: no public key.
            let arguments = error.arguments
            let key = arguments.count > 6 && arguments[6] != "-" ? arguments[6] : arguments.first ?? "?"
            if arguments.count > 5, arguments[5] == "9" {
                return .refused("commit \(short) is signed by GPG key \(key), which is not among the trusted keys in \(keysOrigin)")
            }
            return .refused("commit \(short): the GPG signature by key \(key) cannot be checked (gpgv: \(output.stderr.lastLine))")
        }
        if let bad = all("BADSIG").first {
            return .refused(
                "commit \(short) has a bad GPG signature (made as key \(bad.arguments.first ?? "?") \(bad.rest)): the commit is not what was signed"
            )
        }
        for (keyword, why) in [
            ("EXPKEYSIG", "whose key has expired"), ("REVKEYSIG", "whose key was revoked"), ("EXPSIG", "which has expired"),
        ] {
            if let status = all(keyword).first {
                let key = valid.first?.arguments.first ?? status.arguments.first ?? "?"
                return .refused("commit \(short) is signed by GPG key \(key) (\(status.rest)), \(why)")
            }
        }
        return .refused("commit \(short): the GPG signature could not be verified (gpgv: \(output.stderr.lastLine))")
    }
}
