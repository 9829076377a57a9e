import Foundation

/// A server process the tests start on loopback and stop when done.
final class Server: @unchecked Sendable {
    let process: Process
    let port: Int
    let log: Pipe
    /// For a server run under a wrapper shell: the file holding the server's own process id.
    let pidFile: String?

    private init(process: Process, port: Int, log: Pipe, pidFile: String?) {
        self.process = process
        self.port = port
        self.log = log
        self.pidFile = pidFile
    }

    /// Starts `executable`; the port is either given (then waited for) or, when nil, the first
    /// line the process prints.
    static func start(_ executable: String, _ arguments: [String], port: Int? = nil, pidFile: String? = nil) throws -> Server {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = Shell.environment
        let output = Pipe()
        let log = Pipe()
        process.standardOutput = output
        process.standardError = log
        try process.run()
        let chosen: Int
        if let port {
            chosen = port
        } else {
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let more = output.fileHandleForReading.availableData
                if more.isEmpty { break }
                line += more
            }
            guard let parsed = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw ShellError(description: "\(executable) printed no port")
            }
            chosen = parsed
        }
        let server = Server(process: process, port: chosen, log: log, pidFile: pidFile)
        try server.waitUntilListening()
        return server
    }

    func waitUntilListening() throws {
        for _ in 0..<200 {
            if Self.canConnect(port) { return }
            guard process.isRunning else { break }
            usleep(25_000)
        }
        stop()
        let text = String(decoding: log.fileHandleForReading.availableData, as: UTF8.self)
        throw ShellError(description: "\(process.executableURL!.path) is not listening on \(port): \(text)")
    }

    /// Kills the server (SIGKILL: git daemon outlives SIGTERM while it has children, and children
    /// of the test process may inherit a blocked SIGTERM) and waits for it.
    func stop() {
        if let pidFile, let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func canConnect(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A port nothing listens on right now.
    static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
