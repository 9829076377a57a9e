import Blocking
import Crypto
import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

/// Issue 14, findings 6 and 7: external URLs and redirects, credentials in logs, and what
/// killed or refused requests and finished runs leave behind. Each attack as an outsider (or an
/// editor) would send it, against a real server.
@Suite("SecurityTests: URLs and hygiene") struct SecurityHygieneTests {
    static let sha = String(repeating: "a", count: 64)

    @Test(arguments: ServerMode.allCases)
    func externalVersionsMayNotNameInternalHosts(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let bad: [(url: String, says: String)] = [
                ("http://127.0.0.1:8080/api/auth/api-keys", "loopback"),
                ("http://127.1/x.csv", "loopback"),
                ("http://0x7f000001/x.csv", "loopback"),
                ("http://2130706433/x.csv", "loopback"),
                ("http://[::1]:8080/x.csv", "loopback"),
                ("http://[::ffff:127.0.0.1]/x.csv", "loopback"),
                ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "metadata"),
                ("http://[fe80::1]/x.csv", "link-local"),
                ("http://10.1.2.3/x.csv", "private"),
                ("http://172.16.0.9/x.csv", "private"),
                ("https://192.168.1.10/x.csv", "private"),
                ("http://[fd00:ec2::254]/latest/meta-data/", "private"),
                ("http://0.0.0.0:8080/x.csv", "unspecified"),
                ("http://localhost:8080/x.csv", "local name"),
                ("http://LOCALHOST./x.csv", "local name"),
                ("http://db.internal/x.csv", "local name"),
                ("https://user:pw@data.example.com/x.csv", "user name or password"),
                ("https://token@data.example.com/x.csv", "user name or password"),
                ("http://data.example.com\\@127.0.0.1/x.csv", "spec.source.url"),
                ("file:///etc/passwd", "spec.source.url"),
                ("gopher://data.example.com/x", "spec.source.url"),
            ]
            for (index, item) in bad.enumerated() {
                let body = externalVersion(
                    "ext-\(index)", dataset: "churn", url: item.url.replacingOccurrences(of: "\\", with: "\\\\"), sha256: Self.sha)
                let response = try await server.request("POST", "/api/datasets/churn/versions", json: body)
                let detail = response.json["detail"]?.stringValue ?? ""
                #expect(response.status == 422, "\(item.url) was accepted: \(response.status) \(response.text)")
                #expect(detail.contains("spec.source.url"), "\(item.url): \(detail)")
                #expect(detail.contains(item.says), "\(item.url): \(detail)")
                if !["file:///etc/passwd", "gopher://data.example.com/x"].contains(item.url), !item.url.contains("\\"),
                    item.says != "user name or password"
                {
                    #expect(detail.contains("external-url-allow"), "\(item.url): the refusal says how to allow it: \(detail)")
                }
                #expect(!detail.contains(":pw@"), "the refusal repeats the password: \(detail)")
            }
            #expect(try await server.request("GET", "/api/datasets/churn/versions").json["items"]?.arrayValue?.isEmpty == true)
            // Public hosts are fine.
            let good = try await server.request(
                "POST", "/api/datasets/churn/versions",
                json: externalVersion("ext-public", dataset: "churn", url: "https://data.example.com/churn.csv"))
            #expect(good.status == 201, "\(good.text)")
        }
    }

    /// A version recorded before the rule (here written straight into its table) gets no 307 to loopback.
    @Test(arguments: ServerMode.allCases)
    func aVersionRecordedBeforeTheRuleIsNotRedirectedInward(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            try await pool.withConnection { connection in
                try connection.query(
                    """
                    insert into dataset_versions (name, dataset, uid, spec, object_key, sha256, size, content_type, created_by, updated_by)
                    values ('old-ext', 'churn', gen_random_uuid(), $1::jsonb, null, $2, null, '', 'admin', 'admin')
                    """,
                    [
                        #"{"dataset": "churn", "source": {"url": "http://169.254.169.254/latest/meta-data/", "sha256": "\#(Self.sha)"}}"#,
                        Self.sha,
                    ])
            }
            let download = try await server.request("GET", "/api/datasets/churn/versions/old-ext/download")
            #expect(download.status == 403, "\(download.status) \(download.header("location") ?? "") \(download.text)")
            #expect(download.header("location") == nil)
            #expect(download.json["detail"]?.stringValue?.contains("spec.source.url") == true, "\(download.text)")
        }
    }

    /// The setting is checked at start, and an entry names what an operator allows on purpose.
    @Test func theAllowListSettingIsCheckedAndHonoured() async throws {
        for (value, says) in [
            ("ftp://*", "must look like"), ("https://*.example.com/data", "must look like"), ("https://a*b.example.com", "a pattern is"),
            ("https://u:p@example.com", "must look like"), ("", "no entries"),
        ] {
            let started = try await serverStartFailure(["--external-url-allow", value])
            #expect(started.contains("external-url-allow") && started.contains(says), "\(value): \(started)")
        }
        try await withServer(environment: ["DATAPILOT_EXTERNAL_URL_ALLOW": "https://*, http://10.1.2.3:9000, https://*.lake.internal"]) {
            server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            for (index, (url, status)) in [
                ("http://10.1.2.3:9000/b/x.csv", 201), ("http://10.1.2.3:9001/b/x.csv", 422), ("http://10.1.2.4:9000/x.csv", 422),
                ("https://eu.lake.internal/x.csv", 201), ("http://eu.lake.internal/x.csv", 422),
                ("https://data.example.com/x.csv", 201), ("http://data.example.com/x.csv", 422),
            ].enumerated() {
                let response = try await server.request(
                    "POST", "/api/datasets/churn/versions", json: externalVersion("v\(index)", dataset: "churn", url: url))
                #expect(response.status == status, "\(url): \(response.text)")
            }
        }
    }

    /// train.py downloads an external version through the server's 307 and must not hand its
    /// run token to the host the URL names (allowed for this test by the server's setting).
    @Test func trainPyNeverSendsItsTokenToAnotherOrigin() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("redirect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv =
            "customer_id,plan,tenure_months,monthly_spend,churned\nc1,free,3,10,true\nc2,pro,30,50,false\nc3,enterprise,50,90,false\nc4,free,1,5,true\n"
        let digest = Hex.encode(SHA256.hash(data: Array(csv.utf8)))
        try csv.write(to: folder.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        let servers = try await dpctlQueue.run { try TwoHosts.start(in: folder) }
        defer { servers.stop() }
        try await withServer(environment: ["DATAPILOT_EXTERNAL_URL_ALLOW": "http://127.0.0.1:\(servers.attackerPort)"]) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let registered = try await server.request(
                "POST", "/api/datasets/churn/versions",
                json: externalVersion(
                    "churn-ext", dataset: "churn", url: "http://127.0.0.1:\(servers.attackerPort)/data.csv", sha256: digest))
            #expect(registered.status == 201, "\(registered.text)")
            let download = try await server.request("GET", "/api/datasets/churn/versions/churn-ext/download")
            #expect(download.status == 307 && download.header("location") == "http://127.0.0.1:\(servers.attackerPort)/data.csv")
        }
        // train.py against the stand-in of the server, whose download answers that same 307.
        let token = "dprun.secret-run-token-0123456789"
        let script = repositoryRoot.appendingPathComponent("examples/training/train.py")
        let result = try await dpctlQueue.run {
            try Subprocess.run(
                "python3", [script.path], in: folder,
                environment: [
                    "DATAPILOT_URL": "http://127.0.0.1:\(servers.apiPort)", "DATAPILOT_RUN_ID": "r1", "DATAPILOT_RUN_TOKEN": token,
                ], combined: true, timeout: .seconds(120))
        }
        #expect(result.status == 0, "train.py failed: \(result.stdout)")
        let attacker = (try? String(contentsOf: folder.appendingPathComponent("attacker.log"), encoding: .utf8)) ?? ""
        let api = (try? String(contentsOf: folder.appendingPathComponent("api.log"), encoding: .utf8)) ?? ""
        #expect(attacker.contains("GET /data.csv"), "train.py did not follow the redirect: \(attacker)\n\(result.stdout)")
        #expect(!attacker.lowercased().contains("authorization"), "the run token went to the other host:\n\(attacker)")
        #expect(!attacker.contains(token))
        #expect(api.contains("Bearer " + token), "the token should still reach the server itself:\n\(api)")
    }

    /// libpq quotes a malformed connection string in its error; the password must not reach the log.
    @Test func aMalformedDatabaseURLIsLoggedWithoutItsPassword() async throws {
        for url in [
            "postgres://dp:s3cret-pw@[::1/datapilot", "postgres://dp:s3cret%zz@127.0.0.1/datapilot",
            "postgresql://dp:s3cret-pw@127.0.0.1:5432/datapilot?sslmode=bogus&password=s3cret-pw",
        ] {
            let log = try await serverStartFailure(["--database-url", url], environment: ["DATAPILOT_LOG_FORMAT": "json"])
            #expect(log.contains("cannot start"), "\(url): \(log)")
            #expect(!log.contains("s3cret"), "\(url): the password is in the log:\n\(log)")
        }
    }

    /// An upload killed mid-body leaves its spool file; the next start removes it.
    @Test func aKilledUploadsSpoolFileIsGoneAfterRestart() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            // Headers for 50 MB, then 200 KB, then silence.
            let sender = try Subprocess.start(
                "python3",
                [
                    "-c",
                    """
                    import socket, sys, time
                    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                    s.sendall(b"POST /api/datasets/churn/versions/upload?name=big HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer " + sys.argv[2].encode()
                              + b"\\r\\nContent-Length: 50000000\\r\\n\\r\\n" + b"x" * 200000)
                    time.sleep(120)
                    """, String(server.port), TestServer.adminKey,
                ])
            defer { Subprocess.stop(sender) }
            let spooling = try await eventually(20) { !spoolFiles(in: server.dataDirectory).isEmpty }
            #expect(spooling, "the upload never reached the spool folder")
            Subprocess.stop(server.process)
            let left = spoolFiles(in: server.dataDirectory)
            #expect(!left.isEmpty, "the killed upload left nothing to sweep")
            _ = try await server.restart()
            let after = spoolFiles(in: server.dataDirectory)
            #expect(after.isEmpty, "spool files survived the restart: \(after)")
        }
    }

    /// A 409 (a version name taken with other content) stores nothing; content another version
    /// refers to stays.
    @Test func aRefusedUploadLeavesNoObject() async throws {
        try await withServer(environment: ["DATAPILOT_AUTO_EVALUATE": "false"]) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let (a, b, c) = ("id,x\n1,a\n", "id,x\n2,b\n", "id,x\n3,c\n")
            #expect(
                try await server.request("POST", "/api/datasets/churn/versions/upload?name=v1", body: .bytes(Array(a.utf8))).status == 201)
            #expect(
                try await server.request("POST", "/api/datasets/churn/versions/upload?name=v2", body: .bytes(Array(b.utf8))).status == 201)
            let before = try Self.objects(server)
            #expect(before.count == 2, "\(before)")
            let refused = try await server.request("POST", "/api/datasets/churn/versions/upload?name=v1", body: .bytes(Array(c.utf8)))
            #expect(refused.status == 409, "\(refused.text)")
            #expect(try Self.objects(server) == before, "the refused upload left its object")
            // Refused again, with content v2 holds: v2's object stays.
            #expect(
                try await server.request("POST", "/api/datasets/churn/versions/upload?name=v1", body: .bytes(Array(b.utf8))).status == 409)
            #expect(try Self.objects(server) == before)
            let download = try await server.request("GET", "/api/datasets/churn/versions/v2/download")
            #expect(download.status == 200 && download.text == b)
            // The same content under a new name is stored (again) and served.
            #expect(
                try await server.request("POST", "/api/datasets/churn/versions/upload?name=v3", body: .bytes(Array(c.utf8))).status == 201)
            #expect(try await server.request("GET", "/api/datasets/churn/versions/v3/download").text == c)
        }
    }

    /// The folder of a run the reaper marked LOST goes after the retention; a live run's stays.
    @Test func aFinishedRunsFolderIsRemovedAfterTheRetention() async throws {
        try await withServer(environment: ["DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "1", "DATAPILOT_RUN_FOLDER_RETENTION_SECONDS": "2"]) {
            server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(
                try await server.request("POST", "/api/experiments", json: experiment("churn-model", datasets: ["churn"])).status == 201)
            for name in ["quiet", "waiting"] {
                #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: #"{"name": "\#(name)"}"#).status == 201)
            }
            // The local executor's layout: <data-dir>/runs/<run>-<suffix>/{work,run.log}.
            let runs = server.dataDirectory.appendingPathComponent("runs")
            for folder in ["quiet-0a1b2c3d", "waiting-4e5f6a7b"] {
                try FileManager.default.createDirectory(
                    at: runs.appendingPathComponent(folder + "/work"), withIntermediateDirectories: true)
                try "a log\n".write(to: runs.appendingPathComponent(folder + "/run.log"), atomically: true, encoding: .utf8)
            }
            #expect(try await server.request("PUT", "/api/experiment-runs/quiet/state", json: #"{"state": "RUNNING"}"#).status == 200)
            #expect(
                try await eventually(20) {
                    try await server.request("GET", "/api/experiment-runs/quiet").json["status"]?["state"]?.stringValue == "LOST"
                })
            let gone = try await eventually(30) {
                !FileManager.default.fileExists(atPath: runs.appendingPathComponent("quiet-0a1b2c3d").path)
            }
            #expect(gone, "the LOST run's folder is still there")
            #expect(
                FileManager.default.fileExists(atPath: runs.appendingPathComponent("waiting-4e5f6a7b/run.log").path),
                "a queued run's folder went")
        }
    }

    // MARK: - helpers

    /// The stored objects' keys (files under <data-dir>/objects, without the staging folder).
    static func objects(_ server: TestServer) throws -> [String] {
        let root = server.dataDirectory.appendingPathComponent("objects")
        let all = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return all.filter { path in
            var isDirectory: ObjCBool = false
            // Content objects only: the audit checkpoints are named objects the server writes on its own time.
            return !path.hasPrefix("tmp") && !path.hasPrefix("audit/")
                && FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    /// Runs datapilot-server with `arguments` (a database of its own), expecting it to stop at
    /// once; returns what it printed.
    func serverStartFailure(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let cluster = try TestDatabase.url()
        let data = try scratchFolder("server-fail")
        defer { try? FileManager.default.removeItem(at: data) }
        let hasDatabase = arguments.contains("--database-url")
        let result = try await dpctlQueue.run {
            try Subprocess.run(
                try Products.path("datapilot-server"),
                ["--port", String(try Loopback.freePort()), "--data-dir", data.path]
                    + (hasDatabase ? [] : ["--database-url", cluster]) + arguments,
                in: data, environment: environment, combined: true, timeout: .seconds(60))
        }
        #expect(result.status != 0, "the server started with \(arguments)")
        return result.stdout
    }
}

/// Two small HTTP servers in one Python process: `api` stands in for DataPilot (the run, a
/// download answering 307 to the other host, telemetry), `attacker` serves the data; each
/// records every request line and header.
struct TwoHosts {
    let peer: Peer
    let apiPort: Int
    let attackerPort: Int

    static let script = #"""
        import hashlib, http.server, json, os, sys, threading
        folder = sys.argv[1]
        with open(os.path.join(folder, "data.csv"), "rb") as f:
            DIGEST = "sha256:" + hashlib.sha256(f.read()).hexdigest()
        ATTACKER = []
        class Recorder(http.server.BaseHTTPRequestHandler):
            def record(self):
                with open(os.path.join(folder, self.server.name + ".log"), "a") as log:
                    log.write(f"{self.command} {self.path}\n{self.headers}\n")
            def reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        class Attacker(Recorder):
            def do_GET(self):
                self.record()
                with open(os.path.join(folder, "data.csv"), "rb") as f:
                    self.reply(200, f.read(), [("Content-Type", "text/csv")])
        class API(Recorder):
            def do_GET(self):
                self.record()
                if self.path.endswith("/download"):
                    self.reply(307, b"", [("Location", f"http://127.0.0.1:{ATTACKER[0]}/data.csv")])
                else:
                    run = {"spec": {"params": {"max_iter": 2}}, "status": {"inputs": [
                        {"dataset": "churn", "datasetVersion": "churn-ext", "digest": DIGEST}]}}
                    self.reply(200, json.dumps(run).encode(), [("Content-Type", "application/json")])
            def do_POST(self):
                self.record()
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.reply(200, b"{}", [("Content-Type", "application/json")])
            do_PUT = do_POST
        servers = []
        for name, handler in [("api", API), ("attacker", Attacker)]:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.name = name
            servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        ATTACKER.append(servers[1].server_address[1])
        print(f"{servers[0].server_address[1]} {servers[1].server_address[1]}", flush=True)
        threading.Event().wait()
        """#

    static func start(in folder: URL) throws -> TwoHosts {
        let peer = try Peer.python("the test's HTTP servers", script, [folder.path], ready: .announcesLine)
        let ports = peer.announcement.split(separator: " ").compactMap { Int($0) }
        guard ports.count == 2 else { throw SetupError(.peerDidNotStart, "the test's HTTP servers announced \(peer.announcement)") }
        return TwoHosts(peer: peer, apiPort: ports[0], attackerPort: ports[1])
    }

    func stop() { peer.stop() }
}
