import Foundation
import Manifests
import TestSupport
import Testing

/// Keys made for a test: a GnuPG home with batch-generated keys and SSH keys from ssh-keygen,
/// in a scratch folder removed (and its gpg-agent stopped) by `remove()`.
struct SigningKeys {
    let folder: URL
    var gnupgHome: String { folder.appendingPathComponent("gnupg").path }

    init() throws {
        folder = try scratchFolder("signing-keys")
        try FileManager.default.createDirectory(
            atPath: gnupgHome, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    @discardableResult
    func gpg(_ arguments: [String]) throws -> String {
        try Subprocess.check("gpg", ["--batch", "--homedir", gnupgHome] + arguments)
    }

    /// A new ed25519 signing key for `userID`; its fingerprint.
    func gpgKey(_ userID: String) throws -> String {
        try gpg(["--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", userID, "ed25519", "sign", "never"])
        let listing = try gpg(["--with-colons", "--list-keys", "=" + userID])
        let fingerprint = listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(
            separator: ":", omittingEmptySubsequences: false)[9]
        return String(try #require(fingerprint))
    }

    /// The armored public key of `fingerprint`, written to a file; its path.
    func exportGPG(_ fingerprint: String) throws -> String {
        let path = folder.appendingPathComponent("\(fingerprint).asc").path
        try gpg(["--armor", "--output", path, "--export", fingerprint])
        return path
    }

    /// A new ed25519 SSH key pair `name`, `name.pub`; the private key's path.
    func sshKey(_ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Subprocess.check("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path])
        return path
    }

    /// `ED25519 SHA256:...` of an SSH key, as ssh-keygen prints it.
    func sshFingerprint(_ key: String) throws -> String {
        let words = try Subprocess.check("ssh-keygen", ["-l", "-f", key + ".pub"]).split(separator: " ")
        return "\(words.last!.trimmingCharacters(in: CharacterSet(charactersIn: "()"))) \(words[1])"
    }

    /// An allowed_signers file trusting `key` as `principal`; its path.
    func allowedSigners(_ principal: String, _ key: String) throws -> String {
        let line = try String(contentsOfFile: key + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let path = folder.appendingPathComponent("allowed_signers").path
        try "# who may sign\n\(principal) \(line)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func remove() {
        _ = try? Subprocess.run("gpgconf", ["--homedir", gnupgHome, "--kill", "all"])
        try? FileManager.default.removeItem(at: folder)
    }
}

extension TestRepository {
    /// Commits everything, signed (`git commit -S`) with the given signing settings; the new commit id.
    func signedCommit(_ message: String, _ settings: [String], gnupgHome: String) async throws -> String {
        try await git("add", "-A")
        try await Subprocess.check(
            "git", settings.flatMap { ["-c", $0] } + ["commit", "-q", "-S", "-m", message], in: folder,
            environment: GitCLI.environment.merging(["GNUPGHOME": gnupgHome]) { $1 })
        return try await git("rev-parse", "HEAD")
    }

    /// A commit carrying `commit`'s signature over another message (what anyone can make from a
    /// signed commit), made the branch's head; its id.
    func forge(_ commit: String, message: String) async throws -> String {
        let raw = try await git("cat-file", "commit", commit)
        let header = try #require(raw.range(of: "\n\n", options: .backwards)).lowerBound
        let forged = raw[..<header] + "\n\n" + message + "\n"
        let written = try await Subprocess.run(
            "git", ["hash-object", "-t", "commit", "-w", "--stdin"], stdin: String(forged), in: folder,
            environment: GitCLI.environment)
        let id = written.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try await git("update-ref", "refs/heads/main", id)
        return id
    }

    /// Hands `examples/datasets/churn.yaml` to another owner (so each commit changes something).
    func setOwner(_ owner: String) throws {
        let file = self.file("examples/datasets/churn.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let changed = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix("  owner: ") ? "  owner: \(owner)" : String($0)
        }
        try changed.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    }
}

/// `verify:` on a source: the head commit is applied only when signed by a trusted key (GPG
/// checked by gpgv, SSH by ssh-keygen), against a real server and reconciler, with commits
/// signed by the git CLI. Refusals name the key found; the audit's sync event names the signer.
@Suite struct SignedCommitTests {
    /// A reconciler following the repository's `examples` source with `verify` set, fed by webhooks.
    static func withSignedSource(
        _ repository: TestRepository, verify: String, _ body: (TestServer, TestReconciler) async throws -> Void
    ) async throws {
        let secretFile = repository.folder.appendingPathComponent(".git/hook-secret")
        try ReconcilerTests.secret.write(to: secretFile, atomically: true, encoding: .utf8)
        let sources = repository.folder.appendingPathComponent(".git/sources.yaml")
        try """
        sources:
          - name: examples
            url: "\(repository.url)"
            path: examples
            interval: 1h
            webhook-secret-file: "\(secretFile.path)"
            verify: \(verify)

        """.write(to: sources, atomically: true, encoding: .utf8)
        try await withServer { server in
            let reconciler = try await TestReconciler(server: server, arguments: ["--config", sources.path])
            do { try await body(server, reconciler) } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// Rings the source and waits until `commit` was attempted; the source's status then.
    static func attempt(_ commit: String, _ reconciler: TestReconciler) async throws -> JSONValue {
        #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
        let attempted = try await eventually(60) { await reconciler.source("examples")?["lastAttemptedCommit"]?.stringValue == commit }
        #expect(attempted, "\(commit) was not attempted:\n\(reconciler.logText)")
        return await reconciler.source("examples") ?? .null
    }

    static func owner(_ server: TestServer) async throws -> String? {
        try await server.request("GET", "/api/datasets/churn").json["spec"]?["owner"]?.stringValue
    }

    static func syncEvent(_ server: TestServer, _ commit: String) async throws -> JSONValue? {
        try await server.auditEvents("&action=sync").last { $0["source"]?["commit"]?.stringValue == commit }
    }

    @Test func gpgSignedHeadsApplyAndUnsignedOrUntrustedOnesAreRefused() async throws {
        let keys = try SigningKeys()
        defer { keys.remove() }
        let ada = try keys.gpgKey("Ada Lovelace <ada@example.com>")
        let eve = try keys.gpgKey("Eve <eve@example.com>")
        let trusted = try keys.exportGPG(ada)
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let signing = { (key: String) in ["gpg.program=gpg", "user.signingkey=\(key)"] }
        try repository.setOwner("ada@example.com")
        let signed = try await repository.signedCommit("Signed by Ada", signing(ada), gnupgHome: keys.gnupgHome)
        try await Self.withSignedSource(repository, verify: "{mode: head, provider: gpg, keys-file: \"\(trusted)\"}") {
            server, reconciler in
            // A trusted signed head applies; the sync event names who signed it, with the key.
            let applied = try await Self.attempt(signed, reconciler)
            #expect(applied["result"] == "synced" && applied["lastAppliedCommit"]?.stringValue == signed, "\(applied)")
            #expect(try await Self.owner(server) == "ada@example.com")
            let event = try #require(try await Self.syncEvent(server, signed))
            #expect(event["source"]?["signer"]?.stringValue == "Ada Lovelace <ada@example.com> (GPG key \(ada))", "\(event)")

            // An unsigned commit on top of the signed one: refused, nothing applied.
            try repository.setOwner("mallory@example.com")
            let unsigned = try await repository.commit("Not signed")
            let refusedUnsigned = try await Self.attempt(unsigned, reconciler)
            #expect(refusedUnsigned["result"] == "invalid", "\(refusedUnsigned)")
            #expect(refusedUnsigned["lastAppliedCommit"]?.stringValue == signed)
            #expect(
                refusedUnsigned["error"]?.stringValue?.contains("commit \(unsigned.prefix(12)) is not signed") == true, "\(refusedUnsigned)"
            )
            #expect(try await Self.owner(server) == "ada@example.com")

            // Signed by a key the source does not trust: refused, naming the key.
            try repository.setOwner("eve@example.com")
            let untrusted = try await repository.signedCommit("Signed by Eve", signing(eve), gnupgHome: keys.gnupgHome)
            let refusedEve = try await Self.attempt(untrusted, reconciler)
            #expect(refusedEve["result"] == "invalid", "\(refusedEve)")
            #expect(
                refusedEve["error"]?.stringValue?.contains("signed by GPG key \(eve), which is not among the trusted keys") == true,
                "\(refusedEve)")
            #expect(try await Self.owner(server) == "ada@example.com")
            let refusal = try #require(try await Self.syncEvent(server, untrusted))
            #expect(refusal["outcome"] == "failure" && refusal["source"]?["signer"] == nil, "\(refusal)")
            #expect(refusal["diff"]?.jsonString().contains(#""result":"invalid""#) == true, "\(refusal)")

            // dpctl status shows why.
            let shown = try await dpctl(["status", "--reconciler", reconciler.baseURL], environment: [:])
            #expect((shown.stdout + shown.stderr).contains(eve), "\(shown)")

            // Ada signs again: applied.
            try repository.setOwner("ada-again@example.com")
            let again = try await repository.signedCommit("Signed by Ada again", signing(ada), gnupgHome: keys.gnupgHome)
            let reapplied = try await Self.attempt(again, reconciler)
            #expect(reapplied["result"] == "synced", "\(reapplied)")
            #expect(try await Self.owner(server) == "ada-again@example.com")

            let vouching = try await Self.unsignedCommitUnderASignedHead(
                repository, signing: signing(ada), gnupgHome: keys.gnupgHome, server: server, reconciler: reconciler)

            // Ada's signature copied onto another commit: a bad signature, refused.
            let forged = try await repository.forge(vouching, message: "Not what Ada signed")
            let refusedForgery = try await Self.attempt(forged, reconciler)
            #expect(refusedForgery["result"] == "invalid", "\(refusedForgery)")
            #expect(refusedForgery["error"]?.stringValue?.contains("has a bad GPG signature") == true, "\(refusedForgery)")
        }
    }

    @Test func sshSignedHeadsApplyAndUnsignedOrUntrustedOnesAreRefused() async throws {
        let keys = try SigningKeys()
        defer { keys.remove() }
        let ada = try keys.sshKey("ada")
        let eve = try keys.sshKey("eve")
        let allowed = try keys.allowedSigners("ada@example.com", ada)
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let signing = { (key: String) in ["gpg.format=ssh", "user.signingkey=\(key)"] }
        try repository.setOwner("ada@example.com")
        let signed = try await repository.signedCommit("Signed by Ada", signing(ada), gnupgHome: keys.gnupgHome)
        try await Self.withSignedSource(repository, verify: "{provider: ssh, keys-file: [\"\(allowed)\"]}") { server, reconciler in
            let applied = try await Self.attempt(signed, reconciler)
            #expect(applied["result"] == "synced", "\(applied)")
            let event = try #require(try await Self.syncEvent(server, signed))
            #expect(event["source"]?["signer"]?.stringValue == "ada@example.com (SSH key \(try keys.sshFingerprint(ada)))", "\(event)")

            try repository.setOwner("mallory@example.com")
            let unsigned = try await repository.commit("Not signed")
            let refusedUnsigned = try await Self.attempt(unsigned, reconciler)
            #expect(refusedUnsigned["result"] == "invalid", "\(refusedUnsigned)")
            #expect(refusedUnsigned["error"]?.stringValue?.contains("is not signed") == true, "\(refusedUnsigned)")

            try repository.setOwner("eve@example.com")
            let untrusted = try await repository.signedCommit("Signed by Eve", signing(eve), gnupgHome: keys.gnupgHome)
            let refusedEve = try await Self.attempt(untrusted, reconciler)
            let eveKey = try keys.sshFingerprint(eve)
            #expect(refusedEve["result"] == "invalid", "\(refusedEve)")
            #expect(
                refusedEve["error"]?.stringValue?.contains("signed by SSH key \(eveKey), which is not among the allowed signers") == true,
                "\(refusedEve)")
            #expect(try await Self.owner(server) == "ada@example.com")

            // A GPG signature where SSH is expected: refused as the wrong kind.
            let gpgKey = try keys.gpgKey("Ada Lovelace <ada@example.com>")
            try repository.setOwner("ada-gpg@example.com")
            let otherKind = try await repository.signedCommit(
                "Signed with GPG", ["gpg.program=gpg", "user.signingkey=\(gpgKey)"], gnupgHome: keys.gnupgHome)
            let refusedKind = try await Self.attempt(otherKind, reconciler)
            #expect(
                refusedKind["error"]?.stringValue?.contains("carries a GPG signature; this source verifies SSH") == true, "\(refusedKind)")
            #expect(try await Self.owner(server) == "ada@example.com")

            _ = try await Self.unsignedCommitUnderASignedHead(
                repository, signing: signing(ada), gnupgHome: keys.gnupgHome, server: server, reconciler: reconciler)

            // Ada's signature copied onto another commit: a bad signature, refused.
            let forged = try await repository.forge(signed, message: "Not what Ada signed")
            let refusedForgery = try await Self.attempt(forged, reconciler)
            #expect(refusedForgery["result"] == "invalid", "\(refusedForgery)")
            #expect(
                refusedForgery["error"]?.stringValue?.contains("has a bad SSH signature for the allowed signer ada@example.com") == true,
                "\(refusedForgery)")
        }
    }

    /// A commit nobody signed, under a head Ada signs: the object of its file names that commit,
    /// marked unsigned (only the head's signature is checked; review finding). Returns the head.
    static func unsignedCommitUnderASignedHead(
        _ repository: TestRepository, signing: [String], gnupgHome: String, server: TestServer, reconciler: TestReconciler
    ) async throws -> String {
        try edit(
            repository.file("examples/datasets/product-events.yaml"), "owner: growth-analytics@example.com",
            "owner: web-analytics@example.com")
        let below = try await repository.commit("Not signed, below a signed head")
        try repository.setOwner("ada-third@example.com")
        let vouching = try await repository.signedCommit("Signed by Ada over an unsigned commit", signing, gnupgHome: gnupgHome)
        #expect(try await attempt(vouching, reconciler)["result"] == "synced")
        let update = try #require(
            try await server.auditEvents("&resource=dataset/product-events&action=update").last, "product-events was updated")
        #expect(update["source"]?["commit"]?.stringValue == below, "\(update)")
        #expect(update["source"]?["attribution"]?.stringValue?.hasPrefix("file (unsigned") == true, "\(update)")
        let churn = try #require(try await server.auditEvents("&resource=dataset/churn&action=update").last)
        #expect(churn["source"]?["commit"]?.stringValue == vouching && churn["source"]?["attribution"] == "file", "\(churn)")
        return vouching
    }

    /// Each mistake in a `verify:` setting stops the reconciler with the file, the setting and the source named.
    @Test func badVerifySettingsAreNamed() async throws {
        let keys = try SigningKeys()
        defer { keys.remove() }
        let folder = keys.folder
        let write = { (name: String, text: String) throws -> String in
            let path = folder.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let publicKey = try keys.sshKey("ada") + ".pub"
        let garbage = try write("garbage.asc", "not a key\n")
        let privateGPG = try write("private.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxxxx\n-----END PGP PRIVATE KEY BLOCK-----\n")
        let emptySigners = try write("empty_signers", "# nobody\n")
        let shortLine = try write("short_signers", "# who\nada@example.com ssh-ed25519\n")
        let setting = "sources[0].verify"
        let cases: [(String, String)] = [
            ("yes", "\(setting) (source \"a\"): expected a mapping"),
            ("{keys-file: /k}", "\(setting).provider (source \"a\"): is required: one of gpg, ssh"),
            ("{provider: pgp, keys-file: /k}", "\(setting).provider (source \"a\"): \"pgp\" is not one of gpg, ssh"),
            ("{provider: gpg, mode: tags, keys-file: /k}", "\(setting).mode (source \"a\"): \"tags\" is not one of head"),
            ("{provider: gpg}", "\(setting).keys-file (source \"a\"): is required"),
            ("{provider: gpg, keys: abc}", "\(setting).keys (source \"a\"): put the trusted keys in a file (keys-file)"),
            ("{provider: gpg, key-file: /k}", "\(setting) (source \"a\"): unknown setting \"key-file\""),
            ("{provider: gpg, keys-file: [1]}", "\(setting).keys-file (source \"a\"): expected a path or a list of paths"),
            ("{provider: gpg, keys-file: /nonexistent/keys.asc}", "\(setting).keys-file (source \"a\"): cannot read /nonexistent/keys.asc"),
            ("{provider: gpg, keys-file: \(garbage)}", "\(setting).keys-file (source \"a\"): \(garbage): holds no OpenPGP public key"),
            ("{provider: gpg, keys-file: \(privateGPG)}", "\(privateGPG): holds a private key"),
            ("{provider: ssh, keys-file: \(publicKey)}", "\(publicKey):1: starts with a key type"),
            ("{provider: ssh, keys-file: \(emptySigners)}", "\(emptySigners): lists no allowed signer"),
            ("{provider: ssh, keys-file: \(shortLine)}", "\(shortLine):2: expected `principals [options] key-type key`"),
        ]
        for (index, (verify, message)) in cases.enumerated() {
            let file = try write(
                "\(index)-sources.yaml",
                "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\", verify: \(verify)}\n")
            let result = try await dpctl(["reconcile", "--config", file], environment: ["DATAPILOT_DATABASE_URL": ""])
            #expect(result.status != 0, "\(verify)")
            #expect(result.stderr.contains(message), "\(verify): \(result.stderr)")
            #expect(
                result.stderr.contains("\(file): \(setting)") && result.stderr.contains("(source \"a\")"), "\(verify): \(result.stderr)")
        }
        // --check names the key files without reading them, and still refuses a bad setting.
        let unread = try write(
            "check-sources.yaml", "sources:\n  - {name: a, url: \"file:///x\", verify: {provider: ssh, keys-file: /run/secrets/signers}}\n")
        let checked = try await dpctl(["reconcile", "--config", unread, "--check"], environment: [:])
        #expect(checked.status == 0, "\(checked)")
        #expect(checked.stdout.contains("secret \(setting).keys-file: /run/secrets/signers (not read by --check)"), "\(checked)")
        let badCheck = try write("check-bad.yaml", "sources:\n  - {name: a, url: \"file:///x\", verify: {provider: x509, keys-file: /k}}\n")
        let refused = try await dpctl(["reconcile", "--config", badCheck, "--check"], environment: [:])
        #expect(refused.status == 2 && refused.stderr.contains("\(setting).provider (source \"a\"): \"x509\""), "\(refused)")
    }
}
