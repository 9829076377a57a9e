import Crypto
import Curl
import Foundation
import Manifests
import Postgres
import Testing

/// Issue 14, finding 7 on the reconciler's side: credentials in repository URLs, what the
/// unauthenticated /status shows, the database URL in its errors, and webhook replays.
@Suite("SecurityTests: reconciler hygiene") struct ReconcilerSecurityTests {
    static let secret = "hook-secret-0123456789"

    /// A token in a repository URL is refused, pointing at the auth settings, and never echoed.
    @Test func credentialsInRepositoryURLsAreRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let urls = [
            "https://ci:tok-s3cret@git.example.com/ml/manifests.git", "https://tok-s3cret@github.com/ml/manifests.git",
            "http://ci:tok-s3cret@git.example.com/ml/manifests.git", "https://x-access-token:tok-s3cret@github.com/ml/m.git",
            "ssh://git:tok-s3cret@git.example.com:22/ml/manifests.git",
        ]
        for (index, url) in urls.enumerated() {
            let file = folder.appendingPathComponent("s\(index).yaml")
            try "database-url: postgres://x\nsources:\n  - {name: a, url: \"\(url)\"}\n".write(to: file, atomically: true, encoding: .utf8)
            let checked = try await dpctl(["reconcile", "--config", file.path, "--check"], environment: [:])
            let said = checked.stdout + checked.stderr
            #expect(checked.status == 2, "\(url) passed --check: \(said)")
            #expect(
                said.contains("sources[0].url") && said.contains("carries credentials") && said.contains("password-file"), "\(url): \(said)"
            )
            #expect(!said.contains("tok-s3cret"), "\(url): the refusal repeats the token: \(said)")
        }
        // One source from flags: the same rule, naming the flags.
        let flags = try await dpctl(["reconcile", "--repo", urls[0], "--database-url", "postgres://x"], environment: [:])
        #expect(flags.status == 2 && (flags.stderr + flags.stdout).contains("--password-file"), "\(flags.stdout)\(flags.stderr)")
        #expect(!(flags.stderr + flags.stdout).contains("tok-s3cret"))
        // The credential where the file says to put it passes, and is not shown.
        let good = folder.appendingPathComponent("good.yaml")
        try
            "database-url: postgres://dp:db-s3cret@db/x\nsources:\n  - {name: a, url: \"https://git.example.com/ml/m.git\", auth: {username: ci, password-file: /run/secrets/git-token}}\n"
            .write(to: good, atomically: true, encoding: .utf8)
        let passed = try await dpctl(["reconcile", "--config", good.path, "--check"], environment: [:])
        #expect(passed.status == 0, "\(passed.stdout)\(passed.stderr)")
        #expect(!passed.stdout.contains("db-s3cret") && passed.stdout.contains("password-file: /run/secrets/git-token"), "\(passed.stdout)")
    }

    /// libpq quotes a malformed URL in its error: the reconciler's message must not carry the password.
    @Test func aMalformedDatabaseURLIsReportedWithoutItsPassword() async throws {
        for url in ["postgres://dp:s3cret-pw@[::1/datapilot", "postgres://dp:s3cret%zz@127.0.0.1/datapilot"] {
            let result = try await dpctl(
                ["reconcile", "--once", "--repo", "file:///nonexistent", "--database-url", url],
                environment: ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "unused"])
            let said = result.stdout + result.stderr
            #expect(result.status != 0 && said.contains("status database"), "\(url): \(said)")
            #expect(!said.contains("s3cret"), "\(url): the password is in the output:\n\(said)")
        }
    }

    /// /status needs no credentials, so a URL or error recorded with one (before URLs with
    /// credentials were refused) is shown redacted.
    @Test func statusShowsNoCredentials() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server, arguments: ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h"])
            do {
                let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
                defer { pool.close() }
                try await pool.withConnection { connection in
                    try connection.query(
                        """
                        insert into reconciler_sources (name, url, ref, path, last_result, last_error)
                        values ('legacy', 'https://ci:tok-s3cret@git.example.com/ml/m.git', 'refs/heads/main', '', 'error',
                                'cannot fetch https://x-access-token:tok-s3cret@github.com/ml/m.git; database host=db password=pw-s3cret')
                        """)
                }
                let status = try await reconciler.status()
                let text = status.jsonString()
                #expect(text.contains("legacy") && text.contains("git.example.com"), "\(text)")
                #expect(!text.contains("s3cret"), "/status shows a credential: \(text)")
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// A captured GitHub hook sent again with a new X-GitHub-Delivery (the signature covers only
    /// the body) is refused, also by a reconciler started after the first delivery; a different
    /// push is not.
    @Test func webhookReplaysAreRefused() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let secretFile = repository.folder.appendingPathComponent(".git/hook-secret")
        try Self.secret.write(to: secretFile, atomically: true, encoding: .utf8)
        let arguments = [
            "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h", "--webhook-secret-file",
            secretFile.path,
        ]
        try await withServer { server in
            var reconciler = try await TestReconciler(server: server, arguments: arguments)
            do {
                let push1 = Array(
                    #"{"ref": "refs/heads/main", "after": "1111111111111111111111111111111111111111", "head_commit": {"timestamp": "2026-11-30T05:00:00Z"}}"#
                        .utf8)
                let push2 = Array(
                    #"{"ref": "refs/heads/main", "after": "2222222222222222222222222222222222222222", "head_commit": {"timestamp": "2026-11-30T05:01:00Z"}}"#
                        .utf8)
                func github(_ body: [UInt8], delivery: String) async throws -> HTTPResponse {
                    let mac = Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(Self.secret.utf8))))
                    return try await reconciler.post(
                        "/hooks/examples", body: body,
                        headers: [
                            ("X-Hub-Signature-256", "sha256=" + mac), ("X-GitHub-Delivery", delivery), ("X-GitHub-Event", "push"),
                        ])
                }
                let first = try await github(push1, delivery: "d-1")
                #expect(first.status == 202, "\(first.text)")
                let cases: [(body: [UInt8], delivery: String, status: Int, what: String)] = [
                    (push1, "d-1", 409, "the same delivery again"),
                    (push1, "d-2", 409, "the captured body with a new delivery id"),
                    (push2, "d-1", 409, "a known delivery id with another body"),
                    (push2, "d-3", 202, "a different push"),
                ]
                for item in cases {
                    let response = try await github(item.body, delivery: item.delivery)
                    #expect(response.status == item.status, "\(item.what): \(response.status) \(response.text)")
                    if item.status == 409 {
                        #expect(response.json["detail"]?.stringValue?.contains("already received") == true, "\(response.text)")
                    }
                }
                // GitLab's event id, used once.
                let gitlab = [("X-Gitlab-Token", Self.secret), ("X-Gitlab-Event-UUID", "e-1")]
                #expect(try await reconciler.post("/hooks/examples", body: push1, headers: gitlab).status == 202)
                #expect(try await reconciler.post("/hooks/examples", body: push2, headers: gitlab).status == 409)
                // A captured GitLab hook (static token, unsigned UUID) sent again with a new UUID, or none.
                let push4 = Array(#"{"ref": "refs/heads/main", "checkout_sha": "4444444444444444444444444444444444444444"}"#.utf8)
                #expect(
                    try await reconciler.post(
                        "/hooks/examples", body: push4, headers: [("X-Gitlab-Token", Self.secret), ("X-Gitlab-Event-UUID", "e-2")]
                    ).status == 202)
                #expect(
                    try await reconciler.post(
                        "/hooks/examples", body: push4, headers: [("X-Gitlab-Token", Self.secret), ("X-Gitlab-Event-UUID", "e-3")]
                    ).status == 409)
                #expect(try await reconciler.post("/hooks/examples", body: push4, headers: [("X-Gitlab-Token", Self.secret)]).status == 409)

                // The deliveries are remembered in Postgres: a new reconciler process refuses the replay too.
                await reconciler.stop()
                reconciler = try await TestReconciler(server: server, arguments: arguments)
                let replay = try await github(push1, delivery: "d-4")
                #expect(replay.status == 409, "after a restart: \(replay.status) \(replay.text)")
                let push3 = Array(#"{"ref": "refs/heads/main", "after": "3333333333333333333333333333333333333333"}"#.utf8)
                #expect(try await github(push3, delivery: "d-5").status == 202)
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}
