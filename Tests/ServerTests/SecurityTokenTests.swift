import Crypto
import Curl
import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

/// Issue 14, findings 4 and part of 1: the signing keys live outside the database, tokens die with
/// their API key, run tokens are bound to the run's uid, keys rotate by key id. Each test is the
/// attack (or the operator's step) as it would be sent to a real server.
@Suite("SecurityTests: tokens and keys", .serialized) struct SecurityTokenTests {
    // MARK: revoked keys

    @Test(arguments: ServerMode.allCases)
    func aRevokedKeysTokenIsRefusedWithinSeconds(_ mode: ServerMode) async throws {
        try await withServers { servers in
            // Split processes share their keys (the env form of the key files).
            let env = [
                "DATAPILOT_TOKEN_SIGNING_KEYS": "split-1 \(Self.tokenKey())",
                "DATAPILOT_EVIDENCE_SIGNING_KEYS": "split-1 \(Self.tokenKey())",
            ]
            // The gateway and the processes behind it (in split mode each checks tokens itself).
            let front: TestServer
            var behind: [(TestServer, String)] = []
            switch mode {
            case .single:
                front = try await servers.start(env)
            case .split:
                let backend = try await servers.start(env, ["--service", "registry,audit,lineage"])
                let objects = try await servers.start(env, ["--service", "quality,experiments"])
                front = try await servers.start(
                    env,
                    [
                        "--service", "gateway", "--registry-url", backend.baseURL, "--audit-url", backend.baseURL,
                        "--lineage-url", backend.baseURL, "--quality-url", objects.baseURL, "--experiments-url", objects.baseURL,
                    ])
                behind = [(backend, "/api/datasets"), (objects, "/api/experiments")]
            }
            let created = try await front.request("POST", "/auth/api-keys", json: #"{"name": "leaked", "role": "editor"}"#)
            let key = try #require(created.json["key"]?.stringValue)
            let id = try #require(created.json["id"]?.stringValue)
            let token = try #require(try await front.request("POST", "/auth/token", key: key).json["access_token"]?.stringValue)
            #expect(try await front.request("GET", "/api/datasets", key: token).status == 200)
            for (server, path) in behind { #expect(try await server.request("GET", path, key: token).status == 200) }

            #expect(try await front.request("DELETE", "/auth/api-keys/\(id)").status == 204)
            // The attacker keeps using the token: refused within seconds (each process's revocation
            // check), everywhere; how long each request takes on a loaded machine is not the claim.
            #expect(try await eventually(10) { try await front.request("GET", "/api/datasets", key: token).status == 401 })
            for (server, path) in behind {
                #expect(
                    try await eventually(10) { try await server.request("GET", path, key: token).status == 401 }, "\(server.baseURL)\(path)"
                )
            }
            let refused = try await front.request("GET", "/api/datasets", key: token)
            #expect(refused.json["detail"]?.stringValue?.contains("revoked") == true, "\(refused.text)")
            // Nor can it be exchanged for a fresh token.
            #expect(try await front.request("POST", "/auth/token", key: key).status == 401)
        }
    }

    /// A key given for a few seconds: neither it nor a token issued for it works after that.
    @Test func aTokenDoesNotOutliveItsKey() async throws {
        try await withServer { server in
            let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(4))
            let created = try await server.request(
                "POST", "/auth/api-keys", json: #"{"name": "contractor", "role": "viewer", "expiresAt": "\#(expiry)"}"#)
            #expect(created.status == 201, "\(created.text)")
            let key = try #require(created.json["key"]?.stringValue)
            let issued = try await server.request("POST", "/auth/token", key: key)
            let token = try #require(issued.json["access_token"]?.stringValue)
            #expect((issued.json["expires_in"]?.numberValue ?? 3600) <= 5, "\(issued.text)")
            #expect(try await server.request("GET", "/api/datasets", key: token).status == 200)
            try await Task.sleep(for: .seconds(5))
            #expect(try await server.request("GET", "/api/datasets", key: token).status == 401)
            #expect(try await server.request("GET", "/api/datasets", key: key).status == 401)
            let past = try await server.request(
                "POST", "/auth/api-keys", json: #"{"name": "late", "role": "viewer", "expiresAt": "2020-01-01T00:00:00Z"}"#)
            #expect(past.status == 422, "\(past.text)")
        }
    }

    /// `dpctl keys generate` makes the lines of a rotation; the server takes the file as it is.
    @Test func dpctlMakesKeyFilesTheServerAccepts() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("token-keys").path
        let printed = try await dpctl(["keys", "generate", "--type", "evidence", "--id", "e-1"], environment: [:])
        #expect(printed.status == 0 && printed.stdout.hasPrefix("e-1 ") && printed.stdout.split(separator: " ").count == 2, "\(printed)")
        #expect(try await dpctl(["keys", "generate", "--type", "token", "--id", "old", "--file", file], environment: [:]).status == 0)
        let added = try await dpctl(
            ["keys", "generate", "--type", "token", "--id", "new", "--verify-only", "--file", file], environment: [:])
        #expect(added.status == 0 && added.stdout.contains("the signing key is old"), "\(added)")
        #expect(try Self.mode(file) == 0o600)
        let checked = try await dpctl(["keys", "check", "--type", "token", file], environment: [:])
        #expect(checked.status == 0 && checked.stdout.contains("verify") && checked.stdout.contains("sign"), "\(checked)")
        for secret in try Self.keyValues(file: file) { #expect(!checked.stdout.contains(secret)) }
        try await withServer(environment: ["DATAPILOT_TOKEN_SIGNING_KEYS_FILE": file]) { server in
            let token = try #require(try await server.request("POST", "/auth/token").json["access_token"]?.stringValue)
            #expect(Self.payload(of: token)["kid"]?.stringValue == "old")
        }
        let short = folder.appendingPathComponent("short").path
        try Self.write("weak \(Data(repeating: 1, count: 16).base64EncodedString())\n", to: short)
        let bad = try await dpctl(["keys", "check", "--type", "token", short], environment: [:])
        #expect(bad.status == 1 && bad.stderr.contains("at least 32 bytes"), "\(bad)")
    }

    // MARK: run tokens bound to the run's uid

    @Test func aDeletedRunsTokenIsRefusedOnANewRunOfTheSameName() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let body =
                #"{"name": "nightly", "command": ["/bin/sh", "-c", "printf 'token=%s\\n' \"$DATAPILOT_RUN_TOKEN\" && exec sleep 60"]}"#
            let created = try await server.request("POST", "/api/experiments/churn-model/runs", json: body)
            #expect(created.status == 201, "\(created.text)")
            let token = try await Self.runToken(server, run: "nightly")
            #expect(try await server.request("POST", "/api/experiment-runs/nightly/heartbeat", key: token).status == 204)

            // The run ends and is deleted; someone makes a new run with the same name.
            _ = try await server.request("POST", "/api/experiment-runs/nightly/cancel")
            #expect(
                try await eventually(20) {
                    try await server.request("GET", "/api/experiment-runs/nightly").json["status"]?["state"]?.stringValue == "CANCELLED"
                })
            let deleted = try await server.request("DELETE", "/api/runs/nightly")
            #expect(deleted.status == 204, "\(deleted.text)")
            #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: body).status == 201)

            // The old run's leaked token must not report for the new run.
            let point = #"{"metrics": [{"key": "loss", "value": 0.5, "step": 1, "timestamp": 1764180000000}]}"#
            let attacks: [(String, String, String?)] = [
                ("PUT", "/api/experiment-runs/nightly/state", #"{"state": "RUNNING"}"#),
                ("POST", "/api/experiment-runs/nightly/metrics", point),
                ("POST", "/api/experiment-runs/nightly/heartbeat", nil),
                ("GET", "/api/experiment-runs/nightly", nil),
            ]
            for (method, path, json) in attacks {
                let response = try await server.request(method, path, json: json, key: token)
                #expect(response.status == 401, "\(method) \(path): \(response.status) \(response.text)")
                #expect(response.json["detail"]?.stringValue?.contains("deleted") == true, "\(response.text)")
            }
            #expect(try await server.request("GET", "/api/experiment-runs/nightly").json["status"]?["state"]?.stringValue == "QUEUED")
        }
    }

    // MARK: nothing secret in the database

    @Test func noSigningKeyIsInTheDatabase() async throws {
        try await withServer { server in
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            let values = try await pool.withConnection { try Self.everyTextValue(on: $0) }
            #expect(!values.isEmpty)
            #expect(try await pool.withConnection { try $0.query("select to_regclass('server_secrets')::text as t").first?["t"] } == nil)

            // The attack: every value in the database tried as the HMAC key of a forged admin token.
            let legit = try #require(try await server.request("POST", "/auth/token").json["access_token"]?.stringValue)
            let kid = Self.payload(of: legit)["kid"]?.stringValue
            // And as the Ed25519 key of a forged evidence bundle: its public key must not be one the server publishes.
            let published = Set(
                (try await server.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).json["keys"]?.arrayValue ?? [])
                    .compactMap { $0["publicKey"]?.stringValue })
            #expect(!published.isEmpty)
            for value in Set(values) {
                for candidate in Self.keyCandidates(value) {
                    for forged in [Self.forgeToken(key: candidate, kid: nil), Self.forgeToken(key: candidate, kid: kid)] {
                        let response = try await server.request("GET", "/auth/whoami", key: forged)
                        #expect(response.status == 401, "a token signed with a value read from the database is accepted")
                    }
                    if candidate.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: candidate) {
                        #expect(
                            !published.contains(key.publicKey.rawRepresentation.base64EncodedString()),
                            "the evidence signing key is readable in the database")
                    }
                }
            }
            // The laptop path: nothing configured, so the keys were generated into the data folder.
            let folder = server.dataDirectory.appendingPathComponent("keys")
            let tokenFile = folder.appendingPathComponent("token-signing-keys").path
            let evidenceFile = folder.appendingPathComponent("evidence-signing-keys").path
            #expect(try Self.mode(folder.path) == 0o700)
            #expect(try Self.mode(tokenFile) == 0o600)
            #expect(try Self.mode(evidenceFile) == 0o600)
            let secrets = try [tokenFile, evidenceFile].flatMap { try Self.keyValues(file: $0) }
            #expect(secrets.count == 2)
            for secret in secrets {
                #expect(!values.contains { $0.contains(secret) }, "a signing key is stored in the database")
            }
            let log = try String(contentsOf: server.logFile, encoding: .utf8)
            #expect(log.contains("generated") && log.contains(tokenFile), "\(log.prefix(2000))")
            for secret in secrets { #expect(!log.contains(secret)) }
        }
    }

    // MARK: rotation

    @Test func tokensSurviveRotationWhileTheirKeyStillVerifies() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("token-keys").path
        let (k1, k2) = (Self.tokenKey(), Self.tokenKey())
        try await withServers { servers in
            let env = ["DATAPILOT_TOKEN_SIGNING_KEYS_FILE": file]
            try Self.write("# rotation test\nk1 \(k1)\n", to: file)
            let first = try await servers.start(env)
            let old = try #require(try await first.request("POST", "/auth/token").json["access_token"]?.stringValue)
            #expect(Self.payload(of: old)["kid"]?.stringValue == "k1")
            first.stop()

            // Step 2 of the rotation: k2 signs, k1 still verifies.
            try Self.write("k2 \(k2)\nk1 \(k1) verify-only\n", to: file)
            let second = try await servers.start(env)
            #expect(try await second.request("GET", "/auth/whoami", key: old).status == 200)
            let new = try #require(try await second.request("POST", "/auth/token").json["access_token"]?.stringValue)
            #expect(Self.payload(of: new)["kid"]?.stringValue == "k2")
            second.stop()

            // Step 3: k1 removed; its tokens stop, k2's go on.
            try Self.write("k2 \(k2)\n", to: file)
            let third = try await servers.start(env)
            let refused = try await third.request("GET", "/auth/whoami", key: old)
            #expect(refused.status == 401)
            #expect(refused.json["detail"]?.stringValue?.contains("\"k1\"") == true, "\(refused.text)")
            #expect(try await third.request("GET", "/auth/whoami", key: new).status == 200)
        }
    }

    @Test func anEvidenceBundleSignedBeforeRotationStillVerifies() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("evidence-keys").path
        let (e1, e2) = (Curve25519.Signing.PrivateKey(), Curve25519.Signing.PrivateKey())
        func line(_ id: String, _ key: Curve25519.Signing.PrivateKey, _ rest: String = "") -> String {
            "\(id) \(key.rawRepresentation.base64EncodedString())\(rest)\n"
        }
        func keyid(_ key: Curve25519.Signing.PrivateKey) -> String {
            "sha256:" + SHA256.hash(data: key.publicKey.rawRepresentation).map { String(format: "%02x", $0) }.joined()
        }
        try await withServers { servers in
            let env = ["DATAPILOT_EVIDENCE_SIGNING_KEYS_FILE": file]
            try Self.write(line("e1", e1), to: file)
            let first = try await servers.start(env)
            #expect(try await first.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let bundleFile = folder.appendingPathComponent("old-bundle.json")
            let old = try await Self.finishedRunBundle(first, run: "before", to: bundleFile)
            #expect(old["envelopes"]?[0]?["signatures"]?[0]?["keyid"]?.stringValue == keyid(e1))
            first.stop()

            try Self.write(line("e2", e2) + line("e1", e1, " verify-only"), to: file)
            let second = try await servers.start(env)
            let published = try await second.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).json["keys"]?.arrayValue ?? []
            #expect(Set(published.compactMap { $0["keyid"]?.stringValue }) == [keyid(e1), keyid(e2)], "\(published)")
            #expect(Set(published.compactMap { $0["id"]?.stringValue }) == ["e1", "e2"], "\(published)")
            let viewer = try await second.key(role: "viewer")
            let verified = try await dpctl(
                ["evidence", "verify", bundleFile.path, "--trust-server-key"],
                environment: ["DATAPILOT_SERVER": second.baseURL, "DATAPILOT_TOKEN": viewer])
            #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
            let new = try await Self.finishedRunBundle(second, run: "after", to: folder.appendingPathComponent("new-bundle.json"))
            #expect(new["envelopes"]?[0]?["signatures"]?[0]?["keyid"]?.stringValue == keyid(e2))
            second.stop()

            // Without e1 the old bundle no longer verifies: evidence keys are kept for good (docs/operations.md).
            try Self.write(line("e2", e2), to: file)
            let third = try await servers.start(env)
            let viewer3 = try await third.key(role: "viewer")
            let refused = try await dpctl(
                ["evidence", "verify", bundleFile.path, "--trust-server-key"],
                environment: ["DATAPILOT_SERVER": third.baseURL, "DATAPILOT_TOKEN": viewer3])
            #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        }
    }

    // MARK: upgrade from keys in the database

    @Test func keysOfAnEarlierVersionMoveFromTheDatabaseToFiles() async throws {
        try await withServers { servers in
            let first = try await servers.start([:])
            first.stop()
            // The database as an earlier version left it: both keys in server_secrets.
            let tokenKey = Self.tokenKey()
            let evidenceKey = Curve25519.Signing.PrivateKey()
            let evidenceText = evidenceKey.rawRepresentation.base64EncodedString()
            let pool = ConnectionPool(conninfo: first.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection { connection in
                try connection.query(
                    "create table if not exists server_secrets (name text primary key, value text not null, created_at timestamptz not null default now())"
                )
                try connection.query(
                    """
                    insert into server_secrets (name, value) values ('token-signing-key', $1), ('evidence-signing-key', $2)
                    on conflict (name) do update set value = excluded.value
                    """,
                    [tokenKey, evidenceText])
            }
            let legacy = Self.forgeToken(key: Array(Data(base64Encoded: tokenKey)!), kid: nil)

            let second = try await servers.start([:])
            #expect(try await second.request("GET", "/auth/whoami", key: legacy).json["role"]?.stringValue == "admin")
            #expect(try await pool.withConnection { try $0.query("select to_regclass('server_secrets')::text as t").first?["t"] } == nil)
            let keys = second.dataDirectory.appendingPathComponent("keys")
            #expect(try Self.keyValues(file: keys.appendingPathComponent("token-signing-keys").path) == [tokenKey])
            #expect(
                try Self.keyValues(file: keys.appendingPathComponent("evidence-signing-keys").path) == [
                    evidenceKey.rawRepresentation.base64EncodedString()
                ])
            let published = try await second.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).json["keys"]?.arrayValue ?? []
            #expect(
                published.contains { $0["publicKey"]?.stringValue == evidenceKey.publicKey.rawRepresentation.base64EncodedString() },
                "\(published)")
        }
    }

    /// With key files configured, the old evidence key is not dropped: the server asks for it
    /// (old bundles must still verify), then takes it from the file and empties the table.
    @Test func anUpgradeWithKeyFilesKeepsTheOldEvidenceKey() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("evidence-keys").path
        let current = Data(Curve25519.Signing.PrivateKey().rawRepresentation).base64EncodedString()
        let old = Data(Curve25519.Signing.PrivateKey().rawRepresentation).base64EncodedString()
        try Self.write("now \(current)\n", to: file)
        try await withServers { servers in
            let first = try await servers.start([:])
            first.stop()
            let pool = ConnectionPool(conninfo: first.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection { connection in
                try connection.query(
                    "create table if not exists server_secrets (name text primary key, value text not null, created_at timestamptz not null default now())"
                )
                try connection.query(
                    "insert into server_secrets (name, value) values ('evidence-signing-key', $1) on conflict (name) do update set value = excluded.value",
                    [old])
            }
            let env = ["DATAPILOT_EVIDENCE_SIGNING_KEYS_FILE": file]
            do {
                _ = try await servers.start(env)
                Issue.record("the server dropped the evidence key that signed the bundles so far")
            } catch let failure as SetupError {
                #expect(failure.description.contains("psql") && failure.description.contains(file), "\(failure.description.suffix(800))")
                #expect(!failure.description.contains(old))
            }
            #expect(
                try await pool.withConnection {
                    try $0.query("select value from server_secrets where name = 'evidence-signing-key'").first?["value"]
                } == old)
            // The operator's step, as the message says.
            try Self.write("now \(current)\nlegacy-db \(old) verify-only\n", to: file)
            let upgraded = try await servers.start(env)
            let published =
                try await upgraded.request("GET", "/.well-known/datapilot/evidence-keys", key: nil).json["keys"]?.arrayValue ?? []
            #expect(published.count == 2, "\(published)")
            #expect(try await pool.withConnection { try $0.query("select to_regclass('server_secrets')::text as t").first?["t"] } == nil)
        }
    }

    // MARK: bad key files

    static let badKeyFiles: [(name: String, variable: String, content: String?, expected: [String])] = [
        ("missing file", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE", nil, ["cannot read", "token-signing-keys-file"]),
        ("empty", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE", "# nothing\n", ["no keys", "dpctl keys generate"]),
        ("not base64", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE", "k1 not*base64!\n", ["line 1", "base64"]),
        (
            "short token key", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE", "k1 \(Data(repeating: 7, count: 16).base64EncodedString())\n",
            ["line 1", "at least 32 bytes"]
        ),
        (
            "one field", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE", "\(Data(repeating: 7, count: 32).base64EncodedString())\n",
            ["line 1", "<id> <base64 key>"]
        ),
        (
            "duplicate id", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE",
            "k1 \(SecurityTokenTests.tokenKey())\nk1 \(SecurityTokenTests.tokenKey()) verify-only\n", ["line 2", "k1", "twice"]
        ),
        ("no signer", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE", "k1 \(SecurityTokenTests.tokenKey()) verify-only\n", ["no signing key"]),
        ("bad flag", "DATAPILOT_TOKEN_SIGNING_KEYS_FILE", "k1 \(SecurityTokenTests.tokenKey()) verify\n", ["line 1", "verify-only"]),
        (
            "evidence key length", "DATAPILOT_EVIDENCE_SIGNING_KEYS_FILE", "e1 \(Data(repeating: 9, count: 48).base64EncodedString())\n",
            ["line 1", "32-byte Ed25519"]
        ),
    ]

    @Test func aServerWithABadKeyFileRefusesToStart() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withServers { servers in
            let base = try await servers.start([:])
            for (index, bad) in Self.badKeyFiles.enumerated() {
                let path = folder.appendingPathComponent("keys-\(index)").path
                if let content = bad.content { try Self.write(content, to: path) }
                do {
                    let started = try await base.sibling(environment: [bad.variable: path])
                    started.stop()
                    Issue.record("\(bad.name): the server started with a bad key file")
                } catch let failure as SetupError {
                    let message = failure.description
                    #expect(message.contains(path), "\(bad.name): \(message.suffix(600))")
                    for fragment in bad.expected {
                        #expect(message.contains(fragment), "\(bad.name): \(fragment) not in \(message.suffix(600))")
                    }
                }
            }
            // A service run alone cannot make up keys of its own: its tokens would not match the others'.
            do {
                let started = try await base.sibling(arguments: ["--service", "registry"])
                started.stop()
                Issue.record("a split service started without shared token keys")
            } catch let failure as SetupError {
                #expect(failure.description.contains("token-signing-keys-file"), "\(failure.description.suffix(600))")
            }
        }
    }
}

// MARK: helpers

/// Servers started one after another on one database (restarts with other settings); all stopped
/// and the database dropped at the end.
final class ServerSeries {
    var first: TestServer?

    /// A server on the series' database (the first one makes it).
    func start(_ environment: [String: String], _ arguments: [String] = []) async throws -> TestServer {
        if let first { return try await first.sibling(environment: environment, arguments: arguments) }
        let server = try await TestServer(extraEnvironment: environment, arguments: arguments)
        first = server
        return server
    }
}

func withServers(_ body: (ServerSeries) async throws -> Void) async throws {
    let series = ServerSeries()
    do { try await body(series) } catch {
        await series.first?.stopAndDropDatabase()
        throw error
    }
    await series.first?.stopAndDropDatabase()
}

extension SecurityTokenTests {
    static func tokenKey() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sec-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// The key values of a key file (`<id> <base64> [verify-only]` lines).
    static func keyValues(file: String) throws -> [String] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { String($0.split(separator: " ")[1]) }
    }

    static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func payload(of token: String) -> JSONValue {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return .null }
        var text = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), case .success(let json) = JSONText.parse(Array(data)) else { return .null }
        return json
    }

    /// A bootstrap-admin token signed with `key`, as an attacker who has read a key would make it.
    static func forgeToken(key: [UInt8], kid: String?) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var payload = #"{"exp":\#(now + 3600),"iat":\#(now),"#
        if let kid { payload += #""key":"bootstrap-admin","kid":"\#(kid)","# }
        payload += #""role":"admin","sub":"apikey:bootstrap-admin"}"#
        let body = base64url(Array(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: key))
        return "dpt.\(body).\(base64url(Array(mac)))"
    }

    /// What an attacker would try as a key: the value's bytes, and its base64 decoding.
    static func keyCandidates(_ value: String) -> [[UInt8]] {
        var candidates: [[UInt8]] = []
        if let data = Data(base64Encoded: value.trimmingCharacters(in: .whitespacesAndNewlines)), data.count >= 16 {
            candidates.append(Array(data))
        }
        return candidates
    }

    /// Every text-like value of every table, as a pg_dump would show it.
    static func everyTextValue(on connection: Connection) throws -> [String] {
        let columns = try connection.query(
            """
            select table_name, column_name from information_schema.columns c
            where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json', 'bytea', 'character')
              and exists (select 1 from information_schema.tables t where t.table_schema = 'public' and t.table_name = c.table_name and t.table_type = 'BASE TABLE')
            """)
        var values: [String] = []
        for column in columns {
            let (table, name) = (column["table_name"]!, column["column_name"]!)
            values += try connection.query("select \"\(name)\"::text as v from \"\(table)\" where \"\(name)\" is not null").compactMap {
                $0["v"]
            }
        }
        return values
    }

    /// A run of experiment churn-model run to SUCCEEDED by hand, its evidence bundle built and saved.
    static func finishedRunBundle(_ server: TestServer, run: String, to file: URL) async throws -> JSONValue {
        #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: #"{"name": "\#(run)"}"#).status == 201)
        #expect(try await server.request("PUT", "/api/experiment-runs/\(run)/state", json: #"{"state": "RUNNING"}"#).status == 200)
        #expect(
            try await server.request("PUT", "/api/experiment-runs/\(run)/state", json: #"{"state": "SUCCEEDED", "exitCode": 0}"#).status
                == 200)
        let built = try await server.request("POST", "/api/experiment-runs/\(run)/evidence-bundles")
        #expect(built.status == 201, "\(built.text)")
        let bundle = try await server.request("GET", built.json["bundle"]?.stringValue ?? "/missing")
        try Data(bundle.body).write(to: file)
        return bundle.json
    }

    /// The run-scoped token the server hands a run's executor (here: the rendered Kubernetes Secret).
    /// Starts `run` (whose command prints its token) with the local executor and reads the token
    /// from the live log, where the server keeps it.
    static func runToken(_ server: TestServer, run: String) async throws -> String {
        let started = try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "\#(run)", "executor": "local"}"#)
        #expect(started.status == 202, "\(started.text)")
        var printed = ""
        _ = try await eventually(20) {
            printed = server.liveRunLog(run)
            return printed.contains("token=")
        }
        guard let line = printed.split(separator: "\n").first(where: { $0.hasPrefix("token=dpt.") }) else {
            throw SetupError(.badFixture, "no run token in the run's log: \(printed)")
        }
        return String(line.dropFirst("token=".count))
    }
}

/// The bootstrap admin key replaced (after a leak, say): the tokens made from the old key stop
/// with it, on the next start, not at their expiry.
@Suite("SecurityTests: bootstrap key rotation") struct BootstrapRotationTests {
    @Test func replacingTheBootstrapKeyEndsTheOldKeysTokens() async throws {
        // Both starts share the database and the token signing key, as replicas and restarts do.
        let signing = [
            "DATAPILOT_TOKEN_SIGNING_KEYS": "rotation-test " + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        ]
        try await withServer(environment: signing) { first in
            let token = try await first.request("POST", "/auth/token").json["access_token"]?.stringValue ?? ""
            #expect(token.hasPrefix("dpt."))
            #expect(try await first.request("GET", "/api/datasets", key: token).status == 200)
            first.stop()
            // Token times are whole seconds; a replacement in the token's own second would not tell them apart.
            try await Task.sleep(for: .milliseconds(1100))
            // The same database and keys, another bootstrap key.
            let replaced = "replaced-admin-key-\(UUID().uuidString.prefix(8))"
            let second = try await first.sibling(environment: signing.merging(["DATAPILOT_BOOTSTRAP_ADMIN_KEY": replaced]) { $1 })
            let old = try await second.request("GET", "/api/datasets", key: token)
            #expect(old.status == 401 && old.json["detail"]?.stringValue?.contains("was replaced") == true, "\(old.text)")
            #expect(try await second.request("GET", "/api/datasets", key: TestServer.adminKey).status == 401)
            let fresh = try await second.request("POST", "/auth/token", key: replaced).json["access_token"]?.stringValue ?? ""
            #expect(try await second.request("GET", "/api/datasets", key: fresh).status == 200)
        }
    }
}
