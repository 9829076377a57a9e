import APIModel
import Blocking
import Curl
import Foundation
import Manifests
import Postgres
import Synchronization
import TestSupport
import Testing

/// A real `datapilot-server` process on loopback, on a database of its own in the private
/// Postgres cluster that `make test` starts, with a bootstrap admin key.
final class TestServer: Sendable {
    static let adminKey = "test-admin-key-0123456789"

    let process: Process
    let port: Int
    let database: String
    let databaseURL: String
    /// The cluster's URL (its `datapilot_test` database): the run's, or a test's own.
    let cluster: String
    let dataDirectory: URL
    let logFile: URL
    let io = BlockingQueue(concurrentLabel: "datapilot.tests.http")
    /// Servers started on this one's database by `sibling` and `restart`: stopped with it.
    let siblings = Mutex<[TestServer]>([])

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A server on a new database (in the run's cluster, or in `cluster`), or with `sharing` on
    /// the database of another (split mode, replicas, restarts), on a data folder of its own or
    /// the one given.
    init(
        extraEnvironment: [String: String] = [:], arguments: [String] = [], sharing other: TestServer? = nil,
        dataDirectory given: URL? = nil, cluster clusterURL: String? = nil
    ) async throws {
        let cluster = try other?.cluster ?? clusterURL ?? TestDatabase.url()
        self.cluster = cluster
        if let other {
            database = other.database
            databaseURL = other.databaseURL
        } else {
            database = "srv_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            let admin = ConnectionPool(conninfo: cluster, maxConnections: 1)
            try await admin.withConnection { [database] in try $0.query("create database \(database)") }
            admin.close()
            databaseURL = cluster.replacingOccurrences(of: "/datapilot_test", with: "/\(database)")
        }
        dataDirectory = given ?? FileManager.default.temporaryDirectory.appendingPathComponent("dp-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        logFile = dataDirectory.appendingPathComponent("server-\(UUID().uuidString.prefix(8)).log")
        let environment = ["DATAPILOT_BOOTSTRAP_ADMIN_KEY": Self.adminKey].merging(extraEnvironment) { $1 }
        (process, port) = try await Self.launch(
            arguments: ["--database-url", databaseURL, "--data-dir", dataDirectory.path] + arguments,
            environment: environment, logFile: logFile, dataDirectory: given == nil ? dataDirectory : nil)
    }

    /// Another server on this database (a replica, or a service of a split deployment), on a data
    /// folder of its own, or on `dataDirectory` (this one's, as a shared volume); stopped with this one.
    func sibling(environment: [String: String] = [:], arguments: [String] = [], dataDirectory: URL? = nil) async throws -> TestServer {
        let server = try await TestServer(extraEnvironment: environment, arguments: arguments, sharing: self, dataDirectory: dataDirectory)
        siblings.withLock { $0.append(server) }
        return server
    }

    /// This server killed (SIGKILL, as a crash) and started again on its database and data folder,
    /// with `environment` and `arguments`; the new one is stopped with this one.
    func restart(with environment: [String: String] = [:], arguments: [String] = []) async throws -> TestServer {
        Subprocess.stop(process)
        let server = try await TestServer(extraEnvironment: environment, arguments: arguments, sharing: self, dataDirectory: dataDirectory)
        siblings.withLock { $0.append(server) }
        return server
    }

    /// Starts the server on a free port and waits until it says it listens and answers /healthz.
    /// Another test may take the port between our probe and the server's bind: then the server
    /// exits and we try another port; the log line keeps us from mistaking that other test's
    /// server for ours.
    static func launch(arguments: [String], environment: [String: String], logFile: URL, dataDirectory: URL?) async throws -> (Process, Int)
    {
        var log = ""
        for _ in 0..<4 {
            let port = try Loopback.freePort()
            try Data().write(to: logFile)
            let output = try FileHandle(forWritingTo: logFile)
            let process = try Subprocess.start(
                try Products.path("datapilot-server"), ["--port", String(port)] + arguments,
                environment: environment, clearingSignalMask: true, stdout: output, stderr: output)
            // Generous, and checked once more after the deadline: on a loaded machine this task may
            // not run for many seconds, and a server that came up meanwhile must not count as dead.
            let deadline = ContinuousClock.now + .seconds(60)
            var last = false
            while !last {
                last = ContinuousClock.now >= deadline
                log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                guard process.isRunning else { break }
                if log.contains("datapilot-server listening"), await healthy(port: port), process.isRunning { return (process, port) }
                try await Task.sleep(for: .milliseconds(100))
            }
            Subprocess.stop(process)
            guard log.contains("in use") else { break }
        }
        if let dataDirectory { try? FileManager.default.removeItem(at: dataDirectory) }
        throw SetupError(.peerDidNotStart, "datapilot-server did not become healthy:\n\(log)")
    }

    static let probe = BlockingQueue(concurrentLabel: "datapilot.tests.probe")

    static func healthy(host: String = "127.0.0.1", port: Int) async -> Bool {
        let request = HTTPRequest(method: "GET", url: "http://\(host):\(port)/healthz", headers: [], body: .none, timeoutSeconds: 5)
        let response = try? await probe.run { try Transfer().perform(request) }
        return response?.status == 200
    }

    /// SIGKILL (see `Subprocess.start`: SIGTERM may be blocked in children of dispatch threads),
    /// then the data folder goes; the same for the servers started on this one's database.
    func stop() {
        for sibling in siblings.withLock({ $0 }) { sibling.stop() }
        Subprocess.stop(process)
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    /// `stop()`, then the database goes too.
    func stopAndDropDatabase() async {
        stop()
        await dropDatabase()
    }

    func dropDatabase() async {
        let admin = ConnectionPool(conninfo: cluster, maxConnections: 1)
        _ = try? await admin.withConnection { [database] in try $0.query("drop database if exists \(database) with (force)") }
        admin.close()
    }

    /// One HTTP request with libcurl, run off the cooperative pool.
    func request(
        _ method: String, _ path: String, json: String? = nil, body: HTTPRequest.Body? = nil,
        headers: [(String, String)] = [], key: String? = TestServer.adminKey, into sink: ResponseSink = .memory
    ) async throws -> HTTPResponse {
        var allHeaders = headers
        if let key { allHeaders.append(("Authorization", "Bearer \(key)")) }
        var requestBody = body ?? .none
        if let json {
            requestBody = .bytes(Array(json.utf8))
            if !allHeaders.contains(where: { $0.0.lowercased() == "content-type" }) {
                allHeaders.append(("Content-Type", "application/json"))
            }
        }
        let request = HTTPRequest(method: method, url: baseURL + path, headers: allHeaders, body: requestBody, timeoutSeconds: 120)
        return try await io.run { try Transfer().perform(request, into: sink) }
    }

    /// Peak resident memory of the server process so far, in bytes (VmHWM).
    var peakMemory: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0) * 1024
    }

    /// The log of a locally executed run while it runs, read where the server keeps it
    /// (`<data-dir>/runs/<run>-<suffix>/run.log`); empty until it exists.
    func liveRunLog(_ run: String) -> String {
        let runs = dataDirectory.appendingPathComponent("runs")
        let folder = (try? FileManager.default.contentsOfDirectory(atPath: runs.path))?.first { $0.hasPrefix(run + "-") }
        guard let folder else { return "" }
        return (try? String(contentsOf: runs.appendingPathComponent(folder).appendingPathComponent("run.log"), encoding: .utf8)) ?? ""
    }

    /// An API key of a role, created by the bootstrap admin.
    func key(role: String) async throws -> String {
        let response = try await request("POST", "/auth/api-keys", json: #"{"name": "\#(role) key", "role": "\#(role)"}"#)
        guard response.status == 201, let key = response.json["key"]?.stringValue else {
            throw SetupError(.peerDidNotStart, "cannot create a \(role) key: \(response.status) \(response.text)")
        }
        return key
    }
}

/// How the control plane runs in a test: one process, or a gateway in front of a process running
/// the registry, audit and lineage services and another running quality and experiments, all on
/// the same database.
enum ServerMode: String, CaseIterable, Sendable {
    case single, split
}

/// Runs `body` against a fresh server (the gateway, in split mode), always stopping every
/// process and dropping the database.
func withServer(
    mode: ServerMode = .single, environment: [String: String] = [:], cluster: String? = nil, arguments: [String] = [],
    _ body: (TestServer) async throws -> Void
) async throws {
    var first: TestServer?
    do {
        switch mode {
        case .single:
            let server = try await TestServer(extraEnvironment: environment, arguments: arguments, cluster: cluster)
            first = server
            try await body(server)
        case .split:
            // The processes of a split deployment share their signing keys (a Secret in Kubernetes).
            func key() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }
            let environment = environment.merging([
                "DATAPILOT_TOKEN_SIGNING_KEYS": "split \(key())",
                "DATAPILOT_EVIDENCE_SIGNING_KEYS": "split \(key())",
            ]) { given, _ in given }
            let backend = try await TestServer(
                extraEnvironment: environment, arguments: ["--service", "registry,audit,lineage"], cluster: cluster)
            first = backend
            // Quality and experiments in a process of their own, on the same database and the same
            // object store (with `object-store: file`, a shared folder, as a bucket would be).
            let objects = try await backend.sibling(
                environment: environment, arguments: ["--service", "quality,experiments"], dataDirectory: backend.dataDirectory)
            try await body(
                try await backend.sibling(
                    environment: environment,
                    arguments: [
                        "--service", "gateway", "--registry-url", backend.baseURL, "--audit-url", backend.baseURL, "--lineage-url",
                        backend.baseURL,
                        "--quality-url", objects.baseURL, "--experiments-url", objects.baseURL,
                    ], dataDirectory: backend.dataDirectory))
        }
    } catch {
        await first?.stopAndDropDatabase()
        throw error
    }
    await first?.stopAndDropDatabase()
}

extension HTTPResponse {
    /// The body as JSON, as APIClient reads it (up to an apply set's members).
    var json: JSONValue {
        guard case .success(let value) = JSONText.parse(body, maxValues: ApplySetBody.maxJSONValues) else { return .null }
        return value
    }
}

func dataset(_ name: String, labels: String = "{}", format: String = "csv") -> String {
    #"{"metadata": {"name": "\#(name)", "labels": \#(labels)}, "spec": {"owner": "growth@example.com", "format": "\#(format)"}}"#
}
