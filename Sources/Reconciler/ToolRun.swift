import Blocking
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run of a signature tool (`gpgv`, `ssh-keygen`) as a child process: no shell, the
/// arguments as given, a minimal environment (no variable of the reconciler's, so no database
/// URL or token), HOME and GNUPGHOME in a private temporary folder that is removed afterwards,
/// stdin from a file and stdout and stderr into files of that folder. Every other descriptor of
/// the reconciler is closed in the child. Runs off the cooperative pool; killed after 30 s.
struct ToolRun: Sendable {
    /// What the tool printed and how it ended.
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let queue = BlockingQueue(concurrentLabel: "datapilot.reconciler.signature-tools")
    static let timeout: Duration = .seconds(30)

    /// The absolute path of `tool` on the reconciler's PATH, or nil.
    static func locate(_ tool: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let folders = (path ?? "/usr/bin:/bin").split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        return folders.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Makes a private folder, lets `body` write its inputs there and run tools in it, and removes it.
    static func withFolder<T: Sendable>(_ body: (URL) async throws(VerificationError) -> T) async throws(VerificationError) -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("datapilot-verify-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw VerificationError("cannot make a temporary folder for the signature check: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    /// Writes `bytes` to `name` in `folder` (owner-only) and returns its path.
    static func write(_ bytes: [UInt8], _ name: String, in folder: URL) throws(VerificationError) -> String {
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: file.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw VerificationError("cannot write \(file.path) for the signature check")
        }
        return file.path
    }

    /// Runs `tool` with `arguments` in `folder`, stdin from `stdin` (a path) or /dev/null.
    static func run(_ tool: String, _ arguments: [String], in folder: URL, stdin: String? = nil) async throws(VerificationError)
        -> Output
    {
        guard let program = locate(tool) else {
            throw VerificationError("\(tool) is not installed (not on PATH); the signature check needs it")
        }
        let environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": folder.path, "GNUPGHOME": folder.path]
        let base = folder.appendingPathComponent("\(tool)-\(UUID().uuidString)").path
        let (stdout, stderr) = (base + ".out", base + ".err")
        let status = try await queue.run { () throws(VerificationError) -> Int32 in
            try spawnAndWait([program] + arguments, environment, stdin: stdin ?? "/dev/null", stdout: stdout, stderr: stderr)
        }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Output(status: status, stdout: read(stdout), stderr: read(stderr))
    }

    /// posix_spawn, then waits for the child (on a thread of `queue`), killing it at the deadline.
    static func spawnAndWait(_ arguments: [String], _ environment: [String: String], stdin: String, stdout: String, stderr: String)
        throws(VerificationError) -> Int32
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard let closeFrom = addCloseFrom, closeFrom(&actions, 3) == 0 else {
            throw VerificationError(
                "this C library cannot close the reconciler's descriptors in a child (glibc 2.34 or later is needed); the signature check refuses to run"
            )
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw VerificationError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let reaped = waitpid(child, &status, WNOHANG)
            if reaped == child { break }
            if reaped == -1, errno != EINTR {
                throw VerificationError("cannot wait for \(arguments[0]): \(String(cString: strerror(errno)))")
            }
            if ContinuousClock.now > deadline {
                kill(child, SIGKILL)
                waitpid(child, &status, 0)
                throw VerificationError("\(arguments[0]) did not finish within \(timeout); killed")
            }
            usleep(5000)
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does
    /// not declare: looked up once in the C library already loaded.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}
