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
        let files = try OutputFiles(stdin: stdin, combined: combined)
        defer { files.remove() }
        let process = try start(
            program, arguments, in: directory, environment: environment, inheriting: inheriting,
            stdin: files.input, stdout: files.output, stderr: files.errors)
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
        return try files.result(status: process.terminationStatus, timedOut: timedOut)
    }

    /// Runs `program` and returns its output without surrounding white space; a nonzero exit is
    /// a `SetupError` with what it printed on stderr.
    @discardableResult
    public static func check(
        _ program: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> String {
        try checked(run(program, arguments, in: directory, environment: environment), program, arguments)
    }

    /// What `check` answers: the output of a process that exited 0, else a `SetupError`.
    static func checked(_ outcome: ProcessResult, _ program: String, _ arguments: [String]) throws -> String {
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
        stdin: Any? = nil, stdout: Any? = nil, stderr: Any? = nil, onExit: (@Sendable () -> Void)? = nil
    ) throws -> Process {
        let process = Process()
        if let onExit { process.terminationHandler = { _ in onExit() } }
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
        try spawning.withLock { try process.run() }
        return process
    }

    /// One spawn at a time. Foundation gives each child one end of a socket pair and learns that
    /// the child ended when every copy of that end is closed; it keeps other children from
    /// inheriting copies by closing descriptors up to the highest open when it spawns. A pair made
    /// by a spawn on another thread just after that count was taken was inherited all the same:
    /// a server killed by one test then stayed "running" (a zombie never reaped) for as long as
    /// another test's server lived, and the run hung with its cooperative threads waiting on it.
    static let spawning = NSLock()

    /// Where callers that must block a thread (a `Peer` reading its first line, a synchronous
    /// client) wait: off the cooperative pool, at most 16 at a time (see `Waiting`).
    public static let waiting = Waiting(label: "datapilot.tests.subprocess", width: 16)

    /// `run` for async tests: the process's end is awaited (Foundation's termination handler),
    /// so no thread is held while it runs, however long it runs and however many run at once.
    /// (Holding a thread each, behind a gate of 16, a few long programs such as a browser test
    /// made every short `git` of the fault suites queue until they ran out of time.)
    public static func run(
        _ program: String, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
        environment: [String: String] = [:], inheriting: Bool = true, combined: Bool = false,
        timeout: Duration? = nil
    ) async throws -> ProcessResult {
        let files = try OutputFiles(stdin: stdin, combined: combined)
        defer { files.remove() }
        let exit = ExitSignal()
        let process = try start(
            program, arguments, in: directory, environment: environment, inheriting: inheriting,
            stdin: files.input, stdout: files.output, stderr: files.errors, onExit: exit.fire)
        let pid = process.processIdentifier
        let killer = timeout.map { timeout in
            Task {
                try await Task.sleep(for: timeout)
                return exit.killUnlessEnded(pid)
            }
        }
        await exit.wait()
        killer?.cancel()
        let timedOut = (try? await killer?.value) ?? false
        return try files.result(status: process.terminationStatus, timedOut: timedOut)
    }

    /// `check` for async tests, awaiting the end as the async `run` does.
    @discardableResult
    public static func check(
        _ program: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) async throws -> String {
        try checked(await run(program, arguments, in: directory, environment: environment), program, arguments)
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

/// The files a run's standard streams go to (and its stdin comes from), read back at its end.
struct OutputFiles {
    let folder: URL
    let input: FileHandle?
    let output: FileHandle
    let errors: FileHandle
    let combined: Bool

    init(stdin: String?, combined: Bool) throws {
        folder = try scratchFolder("run")
        self.combined = combined
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        try Data().write(to: out)
        try Data().write(to: err)
        if let stdin {
            let file = folder.appendingPathComponent("in")
            try Data(stdin.utf8).write(to: file)
            input = try FileHandle(forReadingFrom: file)
        } else {
            input = nil
        }
        output = try FileHandle(forWritingTo: out)
        errors = combined ? output : try FileHandle(forWritingTo: err)
    }

    func result(status: Int32, timedOut: Bool) throws -> ProcessResult {
        ProcessResult(
            status: status, stdout: try String(contentsOf: folder.appendingPathComponent("out"), encoding: .utf8),
            stderr: combined ? "" : try String(contentsOf: folder.appendingPathComponent("err"), encoding: .utf8),
            timedOut: timedOut)
    }

    func remove() {
        try? input?.close()
        try? output.close()
        if !combined { try? errors.close() }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A child's end, fired by Foundation's termination handler and awaited by the async `run`.
final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var ended = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// Called once the child has ended (its status is known by then).
    @Sendable func fire() {
        lock.lock()
        ended = true
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if ended {
                lock.unlock()
                continuation.resume()
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }

    /// SIGKILLs `pid` unless the child has ended already (so a reused pid is never hit); true if killed.
    func killUnlessEnded(_ pid: pid_t) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !ended else { return false }
        kill(pid, SIGKILL)
        return true
    }
}
