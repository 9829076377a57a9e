import Foundation

/// What a finished process printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    /// Empty when the output was combined into `stdout`.
    public var stderr: String
    /// True when the process was killed at its timeout.
    public var timedOut: Bool
}

/// Runs and starts programs for tests. A program without a slash is looked up on PATH.
public enum Subprocess {
    /// Runs `program` to completion with its output in files, so that no pipe can fill and block.
    /// `environment` is added to this process's (or, when not `inheriting`, to PATH and HOME only);
    /// `combined` puts stderr into `stdout` in the order written; past `timeout` the process is killed.
    public static func run(
        _ program: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
        environment: [String: String] = [:], inheriting: Bool = true, combined: Bool = false,
        timeout: Duration? = nil
    ) throws -> ProcessResult {
        let folder = try scratchFolder("run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        var input: FileHandle?
        if let stdin {
            let file = folder.appendingPathComponent("in")
            try Data(stdin.utf8).write(to: file)
            input = try FileHandle(forReadingFrom: file)
        }
        let output = try FileHandle(forWritingTo: out)
        let errors = combined ? output : try FileHandle(forWritingTo: err)
        defer {
            try? output.close()
            if !combined { try? errors.close() }
        }
        let process = try start(
            program, arguments, in: directory, environment: environment, inheriting: inheriting,
            stdin: input, stdout: output, stderr: errors)
        var timedOut = false
        if let timeout {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: combined ? "" : try String(contentsOf: err, encoding: .utf8), timedOut: timedOut)
    }

    /// Runs `program` and returns its output without surrounding white space; a nonzero exit is
    /// a `SetupError` with what it printed on stderr.
    @discardableResult
    public static func check(
        _ program: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> String {
        let outcome = try run(program, arguments, in: directory, environment: environment)
        guard outcome.status == 0 else {
            throw SetupError(
                .commandFailed,
                "\(program) \(arguments.joined(separator: " ")) failed (\(outcome.status)): "
                    + "\(outcome.stderr.suffix(2000)); see that it is installed (scripts/lib/packages.sh)")
        }
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `program` without waiting. Output goes where given (nowhere by default).
    ///
    /// `clearingSignalMask` starts it through a tiny exec wrapper that clears the signal mask: a
    /// child spawned from a dispatch thread would otherwise inherit a blocked SIGTERM, and a
    /// graceful shutdown could not be tested. For the same reason tests stop children with SIGKILL.
    public static func start(
        _ program: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:], inheriting: Bool = true, clearingSignalMask: Bool = false,
        stdin: Any? = nil, stdout: Any? = nil, stderr: Any? = nil
    ) throws -> Process {
        let process = Process()
        if clearingSignalMask {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments =
                [
                    "python3", "-c",
                    "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])",
                    program,
                ] + arguments
        } else if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        let current = ProcessInfo.processInfo.environment
        let base = inheriting ? current : ["PATH": current["PATH"] ?? "/usr/bin:/bin", "HOME": current["HOME"] ?? "/tmp"]
        process.environment = base.merging(environment) { $1 }
        process.standardInput = stdin ?? FileHandle.nullDevice
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Where the async overloads wait: off the cooperative pool, at most 16 at a time (see `Waiting`).
    public static let waiting = Waiting(label: "datapilot.tests.subprocess", width: 16)

    /// `run`, waiting off the cooperative pool: what an async test calls (Swift picks it there).
    public static func run(
        _ program: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
        environment: [String: String] = [:], inheriting: Bool = true, combined: Bool = false,
        timeout: Duration? = nil
    ) async throws -> ProcessResult {
        try await waiting.run {
            try run(
                program, arguments, stdin: stdin, in: directory, environment: environment, inheriting: inheriting, combined: combined,
                timeout: timeout)
        }
    }

    /// `check`, waiting off the cooperative pool.
    @discardableResult
    public static func check(
        _ program: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) async throws -> String {
        try await waiting.run { try check(program, arguments, in: directory, environment: environment) }
    }

    /// Kills a started process (SIGKILL, see `start`) and waits for it.
    public static func stop(_ process: Process?) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A fresh folder under the temporary directory, named after `label`.
public func scratchFolder(_ label: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dp-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
