import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started with posix_spawn in its own process group, with a clean signal mask
/// and default dispositions (whatever thread starts it), stdin from /dev/null and stdout and
/// stderr into one log file. Polled, never waited on, so nothing blocks the cooperative pool.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var finished: Termination?

    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            // In the sandbox a signal reaches us as bwrap's status 128 + the signal.
            case .exited(128 + SIGXFSZ):
                return "exited with status \(128 + SIGXFSZ) (SIGXFSZ: stopped at the output limit, executor-output-bytes)"
            case .exited(128 + SIGXCPU):
                return "exited with status \(128 + SIGXCPU) (SIGXCPU: stopped at the CPU time limit, executor-cpu-seconds)"
            case .exited(let code) where code > 128 && code < 160: return "exited with status \(code) (128 + signal \(code - 128))"
            case .exited(let code): return "exited with status \(code)"
            case .signalled(SIGXFSZ): return "was stopped at the output limit (executor-output-bytes; signal SIGXFSZ)"
            case .signalled(SIGXCPU): return "was stopped at the CPU time limit (executor-cpu-seconds; signal SIGXCPU)"
            case .signalled(let signal): return "killed by signal \(signal)"
            }
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `arguments`, whose first element is the absolute path of the program (the local
    /// launcher's chain: it changes the user, the limits and the view of the machine, then runs the
    /// job's command in its work folder). The child gets descriptors 0 to 2 and nothing else: every
    /// other descriptor of the server (its listening sockets, client connections, database
    /// connections, files) is closed in the child before it runs, whatever flags it was opened with.
    init(arguments: [String], environment: [String: String], log: String) throws {
        guard let program = arguments.first, program.hasPrefix("/") else {
            throw SpawnError(description: "the launcher's program must be an absolute path")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard let closeFrom = Self.addCloseFrom else {
            throw SpawnError(
                description:
                    "this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed), so a job could inherit the server's descriptors; the local executor refuses to start it"
            )
        }
        guard closeFrom(&actions, 3) == 0 else {
            throw SpawnError(description: "cannot arrange for the server's descriptors to be closed in the job")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD, SIGXFSZ, SIGXCPU] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // A session of its own (and so a process group whose id is its pid, for the group kill):
        // no controlling terminal, so a job cannot push keystrokes into the operator's shell (TIOCSTI).
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | Self.setSID))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(program): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// glibc's POSIX_SPAWN_SETSID (2.26+; spawn.h), which Swift's Glibc module does not export.
    private static let setSID: Int32 = 0x80

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does
    /// not declare: looked up once in the C library already loaded.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// The termination, once the child has ended (reaped here, once).
    func poll() -> Termination? {
        lock.lock()
        defer { lock.unlock() }
        if let finished { return finished }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return nil }
        let signal = status & 0x7f
        finished = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        return finished
    }

    /// Signals the whole process group (the command and whatever it started).
    func signalGroup(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if finished == nil { kill(-pid, signal) }
    }
}
