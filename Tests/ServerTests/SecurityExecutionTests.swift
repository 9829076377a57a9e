import Foundation
import Manifests
import TestSupport
import Testing

/// Issue 14, findings 1 and 2: executing code is a privilege of its own, off until an operator
/// enables an executor, and a job the local executor runs cannot reach the server: its
/// environment and command line, its descriptors, its data folder, its database password.
@Suite("SecurityTests: execution") struct SecurityExecutionTests {
    static let local = ["DATAPILOT_EXECUTORS": "local"]

    func setUp(_ server: TestServer) async throws {
        #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
        #expect(
            try await server.request("POST", "/api/datasets/churn/versions/upload?name=churn-1", body: .bytes(Array("a,b\n1,2\n".utf8)))
                .status == 201)
        #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model", datasets: ["churn"])).status == 201)
    }

    func state(_ server: TestServer, _ run: String) async throws -> JSONValue {
        try await server.request("GET", "/api/experiment-runs/\(run)").json["status"] ?? .null
    }

    func finished(_ server: TestServer, _ run: String, within seconds: Double = 60) async throws -> JSONValue {
        var status: JSONValue = .null
        _ = try await eventually(seconds) {
            status = try await state(server, run)
            return ["SUCCEEDED", "FAILED", "CANCELLED", "LOST"].contains(status["state"]?.stringValue ?? "")
        }
        return status
    }

    @Test func anEditorCannotExecuteAndNothingIsWritten() async throws {
        try await withServer(environment: Self.local) { server in
            try await setUp(server)
            let editor = try await server.key(role: "editor")
            let viewer = try await server.key(role: "viewer")
            let executor = try await server.key(role: "executor")
            let run = #"{"name": "r-NAME", "command": ["/bin/sh", "-c", "echo hi"], "execute": true}"#
            // Execute on create, as an editor: refused before anything is written.
            let created = try await server.request(
                "POST", "/api/experiments/churn-model/runs", json: run.replacingOccurrences(of: "NAME", with: "editor"), key: editor)
            #expect(
                created.status == 403 && created.json["detail"]?.stringValue?.contains("needs the executor role") == true, "\(created.text)"
            )
            #expect(try await server.request("GET", "/api/experiment-runs/r-editor").status == 404)
            let manifest =
                #"{"metadata": {"name": "r-manifest"}, "spec": {"experiment": "churn-model", "command": ["true"], "execute": true}}"#
            #expect(try await server.request("POST", "/api/runs", json: manifest, key: editor).status == 403)
            #expect(try await server.request("GET", "/api/runs/r-manifest").status == 404)
            // The execute route: editors and viewers are refused, an executor starts it.
            let queued = try await server.request(
                "POST", "/api/experiments/churn-model/runs", json: #"{"name": "q1", "command": ["/bin/true"]}"#, key: editor)
            #expect(queued.status == 201, "\(queued.text)")
            for key in [editor, viewer] {
                let refused = try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "q1"}"#, key: key)
                #expect(refused.status == 403, "\(refused.text)")
            }
            #expect(try await state(server, "q1")["state"]?.stringValue == "QUEUED")
            let started = try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "q1"}"#, key: executor)
            #expect(started.status == 202, "\(started.text)")
            #expect(try await finished(server, "q1")["state"]?.stringValue == "SUCCEEDED")
            let byExecutor = try await server.request(
                "POST", "/api/experiments/churn-model/runs", json: run.replacingOccurrences(of: "NAME", with: "executor"), key: executor)
            #expect(byExecutor.status == 201, "\(byExecutor.text)")
            #expect(try await finished(server, "r-executor")["state"]?.stringValue == "SUCCEEDED")
            // What a run executes is written once: an editor cannot swap the command an executor reviewed.
            let swap =
                #"{"metadata": {"name": "q2"}, "spec": {"experiment": "churn-model", "command": ["/bin/sh", "-c", "cat /proc/1/environ"]}}"#
            #expect(
                try await server.request(
                    "POST", "/api/runs",
                    json: #"{"metadata": {"name": "q2"}, "spec": {"experiment": "churn-model", "command": ["/bin/true"]}}"#, key: editor
                ).status == 201)
            let swapped = try await server.request("PUT", "/api/runs/q2", json: swap, key: editor)
            #expect(swapped.status == 409 && swapped.json["detail"]?.stringValue?.contains("spec.command") == true, "\(swapped.text)")
            // Nor by deleting the run and creating another of the same name: the executor pins the uid it read.
            let reviewed = try await server.request("GET", "/api/runs/q2", key: executor).json["metadata"]?["uid"]?.stringValue ?? ""
            #expect(try await server.request("DELETE", "/api/runs/q2", key: editor).status == 204)
            #expect(try await server.request("POST", "/api/runs", json: swap, key: editor).status == 201)
            let pinned = try await server.request(
                "POST", "/api/experiments/runs:execute", json: #"{"run": "q2", "uid": "\#(reviewed)"}"#, key: executor)
            #expect(pinned.status == 409 && pinned.json["title"]?.stringValue == "Run was replaced", "\(pinned.text)")
            #expect(try await state(server, "q2")["state"]?.stringValue == "QUEUED")
        }
    }

    @Test func withNoExecutorEnabledNothingExecutes() async throws {
        try await withServer { server in
            try await setUp(server)
            let created = try await server.request(
                "POST", "/api/experiments/churn-model/runs", json: #"{"name": "x1", "command": ["/bin/true"], "execute": true}"#)
            #expect(created.status == 409, "\(created.text)")
            #expect(created.json["detail"]?.stringValue?.contains("executors: local") == true, "\(created.text)")
            #expect(try await server.request("GET", "/api/experiment-runs/x1").status == 404)
            #expect(
                try await server.request("POST", "/api/experiments/churn-model/runs", json: #"{"name": "x2", "command": ["/bin/true"]}"#)
                    .status == 201)
            let refused = try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "x2"}"#)
            #expect(refused.status == 409 && refused.json["title"]?.stringValue == "No executor enabled", "\(refused.text)")
            #expect(try await state(server, "x2")["state"]?.stringValue == "QUEUED")
        }
    }

    /// What an attacker's job tries from inside: every secret of the server it can think of. It
    /// prints LEAK for each success and, so that a job that never ran cannot pass, CHECKED for each attempt.
    static let escape = #"""
        import os, socket, sys
        # Given reversed, so that the job's own command line does not hold them.
        secrets = [s[::-1] for s in sys.argv[1:4]]
        data_dir = sys.argv[4]
        def leak(what): print("LEAK " + what, flush=True)
        checked = 0
        # 1. The server's environment and command line, through /proc (its parent chain and every process).
        for pid in [p for p in os.listdir("/proc") if p.isdigit()] + [str(os.getppid())]:
            for name in ("environ", "cmdline"):
                try:
                    text = open("/proc/%s/%s" % (pid, name), "rb").read().decode("utf-8", "replace")
                except Exception:
                    continue
                for secret in secrets:
                    if secret in text: leak("%s of pid %s holds a server secret" % (name, pid))
        checked += 1
        # 2. Descriptors inherited from the server: its listening socket, its connections.
        fds = [int(f) for f in os.listdir("/proc/self/fd")]
        for fd in fds:
            if fd <= 2: continue
            try:
                target = os.readlink("/proc/self/fd/%d" % fd)
            except OSError:
                continue
            if target.startswith("socket:"):
                leak("descriptor %d is a socket: %s" % (fd, target))
                try:
                    s = socket.socket(fileno=os.dup(fd)); s.setblocking(False); s.accept(); leak("accepted on descriptor %d" % fd)
                except Exception as e:
                    pass
            elif not target.startswith("/proc/"):
                leak("descriptor %d open on %s" % (fd, target))
        checked += 1
        # 3. The data folder: keys, objects, spooled uploads.
        for root in (data_dir, data_dir + "/objects", data_dir + "/spool", data_dir + "/keys"):
            try:
                entries = os.listdir(root); leak("listed %s: %s" % (root, entries[:5]))
            except Exception:
                pass
        for dirpath, dirnames, filenames in os.walk(data_dir):
            for f in filenames:
                try:
                    open(os.path.join(dirpath, f), "rb").read(1); leak("read " + os.path.join(dirpath, f))
                except Exception:
                    pass
        checked += 1
        # 4. The database password and the admin key anywhere readable: files the server's user wrote.
        for path in ("/root/.pgpass", os.path.expanduser("~/.pgpass"), "/etc/datapilot/config.yaml"):
            try:
                text = open(path).read()
                if any(s in text for s in secrets): leak("read " + path)
            except Exception:
                pass
        checked += 1
        # 5. Who am I: not root, not the server.
        if os.getuid() == 0 or os.geteuid() == 0: leak("the job runs as root")
        checked += 1
        print("CHECKED %d" % checked, flush=True)
        """#

    @Test func aLocalJobCannotReachTheServersSecretsDescriptorsOrData() async throws {
        let log = try await escapeAttempt(isolation: [:])
        #expect(log.contains("CHECKED 5"), "the job did not run every check:\n\(log)")
        #expect(!log.contains("LEAK"), "\(log)")
    }

    /// The probe above is no formality: with the isolation switched off (as root, no sandbox,
    /// which is what the local executor did before) the same job finds the server's secrets.
    @Test func theEscapeProbeFindsTheSecretsWhenIsolationIsOff() async throws {
        let log = try await escapeAttempt(isolation: [
            "DATAPILOT_EXECUTOR_USER": "root", "DATAPILOT_EXECUTOR_ALLOW_ROOT": "true",
            "DATAPILOT_EXECUTOR_SANDBOX": "none",
        ])
        #expect(log.contains("CHECKED 5"), "\(log)")
        #expect(log.contains("LEAK cmdline of pid") && log.contains("holds a server secret"), "the database password\n\(log)")
        #expect(log.contains("LEAK listed /"), "the data folder\n\(log)")
        #expect(log.contains("LEAK the job runs as root"), "\(log)")
    }

    /// Runs the escape probe as a local job of a server that has a database password on its command
    /// line and a secret in its environment; returns the job's log.
    func escapeAttempt(isolation: [String: String]) async throws -> String {
        let password = "pg-pass-\(UUID().uuidString.prefix(8))"
        let marker = "server-env-secret-\(UUID().uuidString.prefix(8))"
        let environment = Self.local.merging(["DATAPILOT_TEST_MARKER": marker]) { $1 }.merging(isolation) { $1 }
        // Trust auth ignores the password; the job must not see it all the same.
        var log = ""
        try await withServer(environment: environment) { seed in
            seed.stop()
            let withPassword = seed.databaseURL.replacingOccurrences(of: "postgres://datapilot@", with: "postgres://datapilot:\(password)@")
            #expect(withPassword != seed.databaseURL)
            let server = try await seed.sibling(environment: environment, arguments: ["--database-url", withPassword])
            try await setUp(server)
            let secrets = [password, marker, TestServer.adminKey].map { String($0.reversed()) }
            let command = ["python3", "-c", Self.escape] + secrets + [server.dataDirectory.path]
            let body: JSONValue = ["name": "escape", "command": .array(command.map(JSONValue.string))]
            let created = try await server.request("POST", "/api/experiments/churn-model/runs", json: body.jsonString())
            #expect(created.status == 201, "\(created.text)")
            let started = try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "escape"}"#)
            #expect(started.status == 202, "\(started.text)")
            let status = try await finished(server, "escape")
            log = String(decoding: try await server.request("GET", "/api/experiment-runs/escape/artifacts/run.log").body, as: UTF8.self)
            #expect(status["state"]?.stringValue == "SUCCEEDED", "\(status)\n\(log)")
        }
        return log
    }

    @Test func aLocalJobIsStoppedAtItsLimits() async throws {
        let environment = Self.local.merging(["DATAPILOT_EXECUTOR_OUTPUT_BYTES": "65536", "DATAPILOT_EXECUTOR_TIMEOUT_SECONDS": "2"]) { $1 }
        try await withServer(environment: environment) { server in
            try await setUp(server)
            let noisy = #"{"name": "noisy", "command": ["/bin/sh", "-c", "exec head -c 2000000 /dev/zero"]}"#
            #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: noisy).status == 201)
            #expect(try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "noisy"}"#).status == 202)
            let slow = #"{"name": "slow", "command": ["sleep", "60"]}"#
            #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: slow).status == 201)
            #expect(try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "slow"}"#).status == 202)
            let noisyStatus = try await finished(server, "noisy")
            #expect(
                noisyStatus["state"]?.stringValue == "FAILED" && noisyStatus["message"]?.stringValue?.contains("output limit") == true,
                "\(noisyStatus)")
            let log = try await server.request("GET", "/api/experiment-runs/noisy/artifacts/run.log")
            #expect(log.body.count <= 65536, "\(log.body.count) bytes kept")
            let slowStatus = try await finished(server, "slow", within: 30)
            #expect(
                slowStatus["state"]?.stringValue == "FAILED"
                    && slowStatus["message"]?.stringValue?.contains("wall-clock limit of 2 s") == true, "\(slowStatus)")
        }
    }

    static let badSettings: [(environment: [String: String], mentions: String)] = [
        (["DATAPILOT_EXECUTORS": "slurm"], "executors is none or a comma list of local, kubernetes"),
        (["DATAPILOT_EXECUTORS": "local", "DATAPILOT_EXECUTOR_USER": "root"], "is root: jobs would run with every privilege"),
        (["DATAPILOT_EXECUTORS": "local", "DATAPILOT_EXECUTOR_USER": "no-such-user-dp"], "is not a user of this machine"),
        (["DATAPILOT_EXECUTORS": "local", "DATAPILOT_EXECUTOR_SANDBOX": "docker"], "executor-sandbox must be bwrap or none"),
        (["DATAPILOT_EXECUTORS": "local", "DATAPILOT_EXECUTOR_READ_ONLY_PATHS": "code/train"], "absolute paths"),
        (["DATAPILOT_EXECUTORS": "local", "DATAPILOT_EXECUTOR_MEMORY_BYTES": "10"], "executor-memory-bytes must be a whole number"),
    ]

    /// A data folder the job's user cannot pass through: the server says which folder to open.
    @Test func aRunsFolderTheJobUserCannotReachStopsTheServer() async throws {
        let closed = FileManager.default.temporaryDirectory.appendingPathComponent("closed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: closed) }
        do {
            let server = try await TestServer(
                extraEnvironment: Self.local.merging(["DATAPILOT_DATA_DIR": closed.appendingPathComponent("data").path]) { $1 },
                arguments: ["--data-dir", closed.appendingPathComponent("data").path])
            await server.stopAndDropDatabase()
            Issue.record("the server started with a runs folder its jobs cannot reach")
        } catch let error as SetupError {
            #expect(
                error.description.contains("cannot reach the runs folder") && error.description.contains("chmod o+x \(closed.path)"),
                "\(error.description.suffix(600))")
        }
    }

    /// A server told to run jobs unsafely does not start, and says which setting to change.
    @Test(arguments: badSettings)
    func unsafeOrMalformedExecutorSettingsStopTheServer(_ environment: [String: String], _ mentions: String) async throws {
        do {
            let server = try await TestServer(extraEnvironment: environment)
            await server.stopAndDropDatabase()
            Issue.record("the server started with \(environment)")
        } catch let error as SetupError {
            #expect(error.description.contains(mentions), "\(error.description.suffix(600))")
        }
    }
}
