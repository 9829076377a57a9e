import Foundation

/// A process a test talks to over loopback (a Python stand-in for a server, moto, git daemon,
/// sshd), killed when the test stops it or lets it go.
///
/// It either announces itself with a first line on stdout (a port, or a JSON object), or listens
/// on a port given to it. Its stdin stays an open pipe, so a script may wait on it and end when
/// the test process dies; its stderr is kept in a file and quoted when it does not start.
public final class Peer: @unchecked Sendable {
    public let process: Process
    /// The port it listens on: given, or announced as the first line.
    public let port: Int
    /// The first line it printed (empty for a peer given its port).
    public let announcement: String
    let name: String
    let input = Pipe()
    let errors: URL
    let pidFile: String?

    /// How a peer says it is ready.
    public enum Readiness: Sendable {
        /// Its first line is the port.
        case announcesPort
        /// Its first line is something else (`announcement`); `port` is 0.
        case announcesLine
        /// Listening on this port (waited for up to 5 seconds).
        case listens(on: Int)
    }

    /// Starts `program`; `pidFile`, for a peer run under a wrapper shell, names the file holding
    /// the real server's process id (killed too).
    public init(
        _ name: String, _ program: String, _ arguments: [String], environment: [String: String] = [:],
        ready readiness: Readiness = .announcesPort, pidFile: String? = nil
    ) throws {
        self.name = name
        self.pidFile = pidFile
        errors = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString).err")
        try Data().write(to: errors)
        let output = Pipe()
        process = try Subprocess.start(
            program, arguments, environment: environment, stdin: input, stdout: output,
            stderr: try FileHandle(forWritingTo: errors))
        var line = Data()
        if case .listens = readiness {
        } else {
            while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        }
        announcement = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch readiness {
        case .announcesPort:
            port = Int(announcement) ?? 0
        case .announcesLine:
            port = 0
        case .listens(let given):
            port = given
            var waited = 0
            while !Loopback.canConnect(given), process.isRunning, waited < 200 {
                usleep(25_000)
                waited += 1
            }
        }
        let started: Bool
        switch readiness {
        case .announcesPort: started = port > 0
        case .announcesLine: started = !announcement.isEmpty
        case .listens: started = Loopback.canConnect(port)
        }
        guard started else {
            stop()
            throw SetupError(
                .peerDidNotStart,
                "\(name) did not start (is it installed? scripts/lib/packages.sh installs what the tests use): "
                    + "\(announcement.prefix(500)) \(log.suffix(2000))")
        }
    }

    /// Starts it as `init` does, waiting for it off the cooperative pool: what async tests call.
    public static func start(
        _ name: String, _ program: String, _ arguments: [String], environment: [String: String] = [:],
        ready readiness: Readiness = .announcesPort, pidFile: String? = nil
    ) async throws -> Peer {
        try await Subprocess.waiting.run {
            try Peer(name, program, arguments, environment: environment, ready: readiness, pidFile: pidFile)
        }
    }

    /// `python3 -c SCRIPT ARGUMENTS`, started off the cooperative pool.
    public static func python(
        _ name: String, _ script: String, _ arguments: [String] = [], environment: [String: String] = [:],
        ready readiness: Readiness = .announcesPort
    ) async throws -> Peer {
        try await start(name, "python3", ["-c", script] + arguments, environment: environment, ready: readiness)
    }

    /// `python3 -c SCRIPT ARGUMENTS`.
    public static func python(
        _ name: String, _ script: String, _ arguments: [String] = [], environment: [String: String] = [:],
        ready readiness: Readiness = .announcesPort
    ) throws -> Peer {
        try Peer(name, "python3", ["-c", script] + arguments, environment: environment, ready: readiness)
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// What it wrote on stderr so far.
    public var log: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// SIGKILL (a child of a dispatch thread may have SIGTERM blocked), and waits for it.
    public func stop() {
        if let pidFile, let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
        Subprocess.stop(process)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: errors)
    }
}
