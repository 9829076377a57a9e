import Blocking
import Curl
import Foundation
import Manifests
import Postgres
import Testing

struct ServerTestSetup: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A real `datapilot-server` process on loopback, on a database of its own in the private
/// Postgres cluster that `make test` starts, with a bootstrap admin key.
final class TestServer: Sendable {
    static let adminKey = "test-admin-key-0123456789"

    let process: Process
    let port: Int
    let database: String
    let databaseURL: String
    let dataDirectory: URL
    let logFile: URL
    let io = BlockingQueue(concurrentLabel: "datapilot.tests.http")

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func clusterURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATAPILOT_TEST_DATABASE_URL"] else {
            throw ServerTestSetup("DATAPILOT_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a private Postgres")
        }
        return url
    }

    static let binary: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("datapilot-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "datapilot-server")
    }()

    /// A server on a new database, or with `sharing` on the database of another (split mode).
    init(extraEnvironment: [String: String] = [:], arguments: [String] = [], sharing other: TestServer? = nil) async throws {
        let cluster = try Self.clusterURL()
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
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("dp-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        logFile = dataDirectory.appendingPathComponent("server.log")
        let environment = ProcessInfo.processInfo.environment
            .merging(["DATAPILOT_BOOTSTRAP_ADMIN_KEY": Self.adminKey]) { $1 }.merging(extraEnvironment) { $1 }
        (process, port) = try await Self.launch(arguments: ["--database-url", databaseURL, "--data-dir", dataDirectory.path] + arguments,
                                                environment: environment, logFile: logFile, dataDirectory: dataDirectory)
    }

    /// Starts the server on a free port and waits until it says it listens and answers /healthz.
    /// Another test may take the port between our probe and the server's bind: then the server
    /// exits and we try another port; the log line keeps us from mistaking that other test's
    /// server for ours.
    static func launch(arguments: [String], environment: [String: String], logFile: URL, dataDirectory: URL) async throws -> (Process, Int) {
        var log = ""
        for _ in 0..<4 {
            let port = try freePort()
            let process = Process()
            // Through a tiny exec wrapper that clears the signal mask: a child spawned from a dispatch
            // thread would otherwise inherit a blocked SIGTERM, and graceful shutdown could not be tested.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                                 binary.path, "--port", String(port)] + arguments
            process.environment = environment
            try Data().write(to: logFile)
            process.standardOutput = try FileHandle(forWritingTo: logFile)
            process.standardError = process.standardOutput
            try process.run()
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                guard process.isRunning else { break }
                if log.contains("datapilot-server listening"), await healthy(port: port), process.isRunning { return (process, port) }
                try await Task.sleep(for: .milliseconds(100))
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            guard log.contains("in use") else { break }
        }
        try? FileManager.default.removeItem(at: dataDirectory)
        throw ServerTestSetup("datapilot-server did not become healthy:\n\(log)")
    }

    static let probe = BlockingQueue(concurrentLabel: "datapilot.tests.probe")

    static func healthy(port: Int) async -> Bool {
        let request = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/healthz", headers: [], body: .none, timeoutSeconds: 5)
        let response = try? await probe.run { try Transfer().perform(request) }
        return response?.status == 200
    }

    /// SIGKILL (see CurlSmokeTests: SIGTERM may be blocked in children of dispatch threads),
    /// then the database and data folder go.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    func dropDatabase() async {
        guard let cluster = try? Self.clusterURL() else { return }
        let admin = ConnectionPool(conninfo: cluster, maxConnections: 1)
        _ = try? await admin.withConnection { [database] in try $0.query("drop database if exists \(database) with (force)") }
        admin.close()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServerTestSetup("cannot find a free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One HTTP request with libcurl, run off the cooperative pool.
    func request(_ method: String, _ path: String, json: String? = nil, body: HTTPRequest.Body? = nil,
                 headers: [(String, String)] = [], key: String? = TestServer.adminKey, into sink: ResponseSink = .memory) async throws -> HTTPResponse {
        var allHeaders = headers
        if let key { allHeaders.append(("Authorization", "Bearer \(key)")) }
        var requestBody = body ?? .none
        if let json {
            requestBody = .bytes(Array(json.utf8))
            if !allHeaders.contains(where: { $0.0.lowercased() == "content-type" }) { allHeaders.append(("Content-Type", "application/json")) }
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
            throw ServerTestSetup("cannot create a \(role) key: \(response.status) \(response.text)")
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
func withServer(mode: ServerMode = .single, environment: [String: String] = [:], _ body: (TestServer) async throws -> Void) async throws {
    var started: [TestServer] = []
    func cleanUp() async {
        for server in started.reversed() { server.stop() }
        await started.first?.dropDatabase()
    }
    do {
        switch mode {
        case .single:
            started.append(try await TestServer(extraEnvironment: environment))
        case .split:
            // The processes of a split deployment share their signing keys (a Secret in Kubernetes).
            func key() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }
            let environment = environment.merging(["DATAPILOT_TOKEN_SIGNING_KEYS": "split \(key())",
                                                   "DATAPILOT_EVIDENCE_SIGNING_KEYS": "split \(key())"]) { given, _ in given }
            let backend = try await TestServer(extraEnvironment: environment, arguments: ["--service", "registry,audit,lineage"])
            started.append(backend)
            // Quality and experiments in a process of their own, on the same database.
            let objects = try await TestServer(extraEnvironment: environment, arguments: ["--service", "quality,experiments"], sharing: backend)
            started.append(objects)
            started.append(try await TestServer(extraEnvironment: environment, arguments: [
                "--service", "gateway", "--registry-url", backend.baseURL, "--audit-url", backend.baseURL, "--lineage-url", backend.baseURL,
                "--quality-url", objects.baseURL, "--experiments-url", objects.baseURL,
            ], sharing: backend))
        }
        try await body(started.last!)
    } catch {
        await cleanUp()
        throw error
    }
    await cleanUp()
}

extension HTTPResponse {
    var json: JSONValue {
        guard case .success(let value) = JSONText.parse(body) else { return .null }
        return value
    }
}

func dataset(_ name: String, labels: String = "{}", format: String = "csv") -> String {
    #"{"metadata": {"name": "\#(name)", "labels": \#(labels)}, "spec": {"owner": "growth@example.com", "format": "\#(format)"}}"#
}
