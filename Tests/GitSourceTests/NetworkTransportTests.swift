import Foundation
import GitSource
import Manifests
import TestSupport
import Testing

/// Resolves and snapshots over git://, smart HTTP with basic auth, and SSH, against servers
/// started on loopback for the test.
@Suite struct NetworkTransportTests {
    func expectResolvesAndSnapshots(_ source: GitSource, _ fixture: Fixture) async throws {
        let first = try await source.resolve()
        await #expect(first.commit == (try fixture.head()))
        #expect(first.fetched)
        let snapshot = try await source.snapshot(commit: first.commit, previous: nil, options: LoadOptions())
        #expect(snapshot.manifests.diagnostics.map(\.formatted) == [])
        #expect(snapshot.files == exampleFiles)
        let second = try await source.resolve()
        #expect(!second.fetched)
        try fixture.write("examples/notes.txt", "more\n")
        let next = try await fixture.commit("More")
        let third = try await source.resolve()
        #expect(third.commit == next)
        #expect(third.fetched)
        let after = try await source.snapshot(commit: next, previous: snapshot, options: LoadOptions())
        #expect(after.reparsed == [])
        #expect(after.changedPaths == ["examples/notes.txt"])
    }

    @Test func gitDaemon() async throws {
        let fixture = try await Fixture("daemon")
        defer { fixture.remove() }
        let daemon = try Transports.gitDaemon(base: fixture.served)
        defer { daemon.stop() }
        try await expectResolvesAndSnapshots(fixture.source(url: "git://127.0.0.1:\(daemon.port)/repo.git"), fixture)

        let missing = fixture.source(url: "git://127.0.0.1:\(daemon.port)/missing.git", name: "missing")
        let error = await gitSourceError { _ = try await missing.resolve() }
        #expect(error?.code == .notFound, "\(String(describing: error))")
    }

    @Test func smartHTTPWithBasicAuth() async throws {
        let fixture = try await Fixture("http")
        defer { fixture.remove() }
        let server = try Transports.smartHTTP(base: fixture.served, username: "ada", password: "s3cret-token")
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/repo.git"
        try await expectResolvesAndSnapshots(fixture.source(url: url, auth: .basic(username: "ada", password: "s3cret-token")), fixture)

        let wrong = fixture.source(url: url, auth: .basic(username: "ada", password: "wrong-password"), name: "wrong")
        var error: GitSourceError?
        let elapsed = await seconds { error = await gitSourceError { _ = try await wrong.resolve() } }
        #expect(error?.code == .authentication)
        #expect(error?.message.contains("\"ada\"") == true)
        #expect(error?.message.contains("wrong-password") == false)
        #expect(elapsed < 5)

        let anonymous = fixture.source(url: url, name: "anonymous")
        let refused = await gitSourceError { _ = try await anonymous.resolve() }
        #expect(refused?.code == .authentication)
    }

    @Test func sshWithKeyFileKeyInMemoryAndKnownHosts() async throws {
        let fixture = try await Fixture("ssh")
        defer { fixture.remove() }
        let key = fixture.folder + "/id_ed25519"
        try await Subprocess.check("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
        let (server, hostPublicKey) = try Transports.sshd(folder: fixture.folder, authorizedKey: key + ".pub")
        defer { server.stop() }
        let user = try await Subprocess.check("id", ["-un"])
        let url = "ssh://\(user)@127.0.0.1:\(server.port)\(fixture.bare)"
        let knownHosts = fixture.folder + "/known_hosts"
        let hostKeyFields = hostPublicKey.split(separator: " ").prefix(2).joined(separator: " ")
        try "# test server\n[127.0.0.1]:\(server.port) \(hostKeyFields)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)

        let fromFile = GitAuth.sshKey(username: user, privateKeyPath: key, privateKey: nil, passphrase: nil, knownHostsPath: knownHosts)
        try await expectResolvesAndSnapshots(fixture.source(url: url, auth: fromFile), fixture)

        let inline = GitAuth.sshKey(
            username: user, privateKeyPath: nil, privateKey: try String(contentsOfFile: key, encoding: .utf8),
            passphrase: nil, knownHostsPath: knownHosts)
        let memory = try await fixture.source(url: url, auth: inline, name: "memory").resolve()
        await #expect(memory.commit == (try fixture.head()))

        // Hashed entries (ssh-keygen -H) are understood too.
        let hashed = fixture.folder + "/known_hosts_hashed"
        try FileManager.default.copyItem(atPath: knownHosts, toPath: hashed)
        try await Subprocess.check("ssh-keygen", ["-q", "-H", "-f", hashed])
        #expect(try String(contentsOfFile: hashed, encoding: .utf8).contains("|1|"))
        let hashedAuth = GitAuth.sshKey(username: user, privateKeyPath: key, privateKey: nil, passphrase: nil, knownHostsPath: hashed)
        #expect(try await fixture.source(url: url, auth: hashedAuth, name: "hashed").resolve().commit == (try fixture.head()))

        // Another key for the host: refused, naming the host.
        let other = fixture.folder + "/other_host_key"
        try await Subprocess.check("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other])
        let otherFields = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let wrongHosts = fixture.folder + "/known_hosts_wrong"
        try "[127.0.0.1]:\(server.port) \(otherFields)\n".write(toFile: wrongHosts, atomically: true, encoding: .utf8)
        let mismatch = await gitSourceError {
            _ = try await fixture.source(
                url: url,
                auth: .sshKey(
                    username: user, privateKeyPath: key, privateKey: nil, passphrase: nil,
                    knownHostsPath: wrongHosts), name: "mismatch"
            ).resolve()
        }
        #expect(mismatch?.code == .hostKey)
        #expect(mismatch?.message.contains("[127.0.0.1]:\(server.port)") == true)
        #expect(mismatch?.message.contains("does not match") == true)

        // A host known_hosts does not list: refused.
        let unknownHosts = fixture.folder + "/known_hosts_other"
        try "[127.0.0.1]:1 \(hostKeyFields)\n".write(toFile: unknownHosts, atomically: true, encoding: .utf8)
        let unknown = await gitSourceError {
            _ = try await fixture.source(
                url: url,
                auth: .sshKey(
                    username: user, privateKeyPath: key, privateKey: nil, passphrase: nil,
                    knownHostsPath: unknownHosts), name: "unknown"
            ).resolve()
        }
        #expect(unknown?.code == .hostKey)
        #expect(unknown?.message.contains("is not in known_hosts") == true)

        // A key the server does not accept: one attempt, then .authentication.
        let stranger = fixture.folder + "/stranger"
        try await Subprocess.check("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger])
        var rejected: GitSourceError?
        let elapsed = await seconds {
            rejected = await gitSourceError {
                _ = try await fixture.source(
                    url: url,
                    auth: .sshKey(
                        username: user, privateKeyPath: stranger, privateKey: nil, passphrase: nil,
                        knownHostsPath: knownHosts), name: "stranger"
                ).resolve()
            }
        }
        #expect(rejected?.code == .authentication)
        #expect(rejected?.message.contains(stranger) == true)
        #expect(elapsed < 5)
    }
}
