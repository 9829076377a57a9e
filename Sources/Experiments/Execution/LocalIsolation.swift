import Foundation
import ServiceKit
import Settings

#if canImport(Glibc)
    import Glibc
#endif

/// How the local executor keeps a job away from the server: the settings an operator chooses
/// (`executor-*` in the server's configuration) and the launch chain they become.
///
/// A job never runs as the server. When the server is root it drops to `user` (`setpriv`, no
/// supplementary groups, no new privileges, no capabilities); under `prlimit` it gets CPU time,
/// address space, open files, processes and output size limits; and in the `bwrap` sandbox
/// (Debian's bubblewrap: user, pid, ipc and uts namespaces) it sees /usr, a few files of /etc,
/// its own /proc, a private /tmp, its work folder as /work and the read-only paths the operator
/// lists: not the server's /proc, data folder, sockets or keys.
public struct LocalIsolation: Sendable, Equatable {
    public enum Sandbox: String, Sendable, CaseIterable {
        /// bubblewrap is required: the local executor refuses to start without it.
        case bwrap
        /// No sandbox: the job runs as `user` with the limits, and can see what that user sees
        /// (other processes' command lines, world-readable files). Single-tenant machines only.
        case none
    }

    public var user = "nobody"
    public var allowRoot = false
    public var sandbox = Sandbox.bwrap
    public var cpuSeconds: Int64 = 86_400
    public var memoryBytes: Int64 = 8 << 30
    public var openFiles: Int64 = 1024
    public var processes: Int64 = 512
    public var outputBytes: Int64 = 10 << 30
    public var timeoutSeconds: Int64 = 86_400
    /// Absolute paths the job may read (the training code, say), bound read-only at the same path.
    public var readOnlyPaths: [String] = []

    public init() {}

    /// The settings' names in the server's configuration (file, `DATAPILOT_EXECUTOR_*`, flags).
    public static let keys = [
        "executor-user", "executor-allow-root", "executor-sandbox", "executor-cpu-seconds", "executor-memory-bytes",
        "executor-open-files", "executor-processes", "executor-output-bytes", "executor-timeout-seconds",
        "executor-read-only-paths",
    ]

    /// Applies one `executor-*` setting; throws a message naming it, where it came from and what it takes.
    public mutating func set(_ key: String, _ value: String, from origin: String) throws {
        func number(_ range: ClosedRange<Int64>) throws -> Int64 {
            guard let n = Int64(value), range.contains(n) else {
                throw SettingError(
                    "\(origin): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(value)\"")
            }
            return n
        }
        switch key {
        case "executor-user":
            guard !value.isEmpty else { throw SettingError("\(origin): executor-user must name a user of this machine (e.g. nobody)") }
            user = value
        case "executor-allow-root":
            guard ["true", "false"].contains(value) else {
                throw SettingError("\(origin): executor-allow-root must be true or false, got \"\(value)\"")
            }
            allowRoot = value == "true"
        case "executor-sandbox":
            guard let mode = Sandbox(rawValue: value) else {
                throw SettingError("\(origin): executor-sandbox must be bwrap or none, got \"\(value)\"")
            }
            sandbox = mode
        case "executor-cpu-seconds": cpuSeconds = try number(1...(86_400 * 365))
        case "executor-memory-bytes": memoryBytes = try number((64 << 20)...(Int64(1) << 50))
        case "executor-open-files": openFiles = try number(16...1_048_576)
        case "executor-processes": processes = try number(1...1_000_000)
        case "executor-output-bytes": outputBytes = try number(4096...(Int64(1) << 50))
        case "executor-timeout-seconds": timeoutSeconds = try number(1...(86_400 * 365))
        case "executor-read-only-paths":
            let paths = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let bad = paths.first(where: { !$0.hasPrefix("/") || $0.split(separator: "/").contains("..") }) {
                throw SettingError("\(origin): executor-read-only-paths takes absolute paths without '..', got \"\(bad)\"")
            }
            readOnlyPaths = paths
        default:
            throw SettingError("\(origin): unknown setting \"\(key)\"")
        }
    }
}

/// The resolved identity and programs of the launch chain, checked once when the server starts.
public struct LocalLauncher: Sendable {
    public let isolation: LocalIsolation
    /// The job's user and group when the server can switch users (it runs as root); nil otherwise.
    public let switchTo: (uid: uid_t, gid: gid_t)?
    let setpriv: String?
    let prlimit: String
    let bwrap: String?

    /// Checks the settings against this machine: the user exists, is not root unless allowed,
    /// the tools are installed and the sandbox starts. Throws what to change.
    public init(_ isolation: LocalIsolation) throws {
        self.isolation = isolation
        func tool(_ name: String, package: String) throws -> String {
            for directory in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"] {
                let path = directory + "/" + name
                if access(path, X_OK) == 0 { return path }
            }
            throw SettingError("the local executor needs \(name) (Debian package \(package)); install it or disable the local executor")
        }
        prlimit = try tool("prlimit", package: "util-linux")
        if geteuid() == 0 {
            guard let entry = getpwnam(isolation.user) else {
                throw SettingError(
                    "executor-user \"\(isolation.user)\" is not a user of this machine; create it (useradd --system \(isolation.user)) or name another"
                )
            }
            let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
            if uid == 0 || gid == 0, !isolation.allowRoot {
                throw SettingError(
                    "executor-user \"\(isolation.user)\" is root: jobs would run with every privilege of this machine; name an unprivileged user, or set executor-allow-root: true if you really mean it"
                )
            }
            switchTo = (uid, gid)
            setpriv = try tool("setpriv", package: "util-linux")
        } else {
            // Not root: the job cannot get a user of its own, only the sandbox's user namespace.
            switchTo = nil
            setpriv = nil
            if isolation.sandbox == .none {
                throw SettingError(
                    "the server does not run as root, so jobs cannot run as executor-user \"\(isolation.user)\"; with executor-sandbox: none they would run as the server itself. Use executor-sandbox: bwrap (jobs then run in a user namespace of their own)"
                )
            }
        }
        bwrap = isolation.sandbox == .bwrap ? try tool("bwrap", package: "bubblewrap") : nil
    }

    /// Refuses a runs folder the job's user cannot pass through to reach its work folder (bwrap,
    /// running as that user, binds it from there), and read-only paths it cannot read: names
    /// the folder to open and how.
    public func checkReachable(runs folder: String) throws {
        try checkPassable(
            folder, read: false, what: "the runs folder \(folder)", hint: "or choose a data-dir whose parents they can pass through")
        for path in isolation.readOnlyPaths where FileManager.default.fileExists(atPath: path) {
            try checkPassable(
                path, read: true, what: "executor-read-only-paths entry \(path)", hint: "or put the code somewhere it can read")
        }
    }

    /// Every folder from `target` up to / must let the job's user pass; with `read`, it must
    /// also be able to read `target` itself.
    func checkPassable(_ target: String, read: Bool, what: String, hint: String) throws {
        guard let (uid, gid) = switchTo else { return }
        let start = URL(fileURLWithPath: target).standardizedFileURL.path
        var path = start
        while true {
            var info = stat()
            guard stat(path, &info) == 0 else { throw SettingError("cannot read \(path): \(String(cString: strerror(errno)))") }
            let mode = info.st_mode
            let (x, r) = info.st_uid == uid ? (S_IXUSR, S_IRUSR) : info.st_gid == gid ? (S_IXGRP, S_IRGRP) : (S_IXOTH, S_IROTH)
            let isFolder = mode & S_IFMT == S_IFDIR
            let needsRead = read && path == start
            if (isFolder && mode & x == 0) || (needsRead && mode & r == 0) {
                throw SettingError(
                    "executor-user \"\(isolation.user)\" cannot reach \(what): \(path) is mode \(String(mode & 0o7777, radix: 8)); let others \(needsRead ? "read" : "pass through") it (chmod o+\(needsRead ? "r" : "x") \(path)) \(hint)"
                )
            }
            guard path != "/" else { return }
            path = (path as NSString).deletingLastPathComponent
        }
    }

    static func limit(_ name: String, _ value: Int64) -> String { "--\(name)=\(value):\(value)" }

    /// The whole command line: the chain, then the job's own command, which runs in `work`.
    func arguments(command: [String], work: String) -> [String] {
        var chain: [String] = []
        if let setpriv, let switchTo {
            chain += [
                setpriv, "--reuid=\(switchTo.uid)", "--regid=\(switchTo.gid)", "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all", "--",
            ]
        }
        chain += [
            prlimit, Self.limit("cpu", isolation.cpuSeconds), Self.limit("as", isolation.memoryBytes),
            Self.limit("nofile", isolation.openFiles), Self.limit("fsize", isolation.outputBytes), "--core=0:0",
        ]
        // RLIMIT_NPROC counts every process of the real user: only meaningful when the job has its own.
        if switchTo != nil { chain.append(Self.limit("nproc", isolation.processes)) }
        chain.append("--")
        guard let bwrap else {
            return chain + ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", work] + command
        }
        chain += [
            bwrap, "--unshare-user", "--disable-userns", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--hostname", "datapilot-job",
        ]
        if switchTo == nil { chain += ["--uid", "65534", "--gid", "65534"] }
        chain += Self.systemBinds()
        // /tmp and /run are memory: sized, so they count against no limit of the job's unless bounded here.
        let tmpfs = String(min(isolation.outputBytes, isolation.memoryBytes))
        chain += [
            "--proc", "/proc", "--dev", "/dev", "--size", tmpfs, "--tmpfs", "/tmp", "--size", "1048576", "--tmpfs", "/run", "--dir",
            "/var/tmp",
            "--bind", work, "/work",
        ]
        for path in isolation.readOnlyPaths { chain += ["--ro-bind-try", path, path] }
        chain += ["--chdir", "/work", "--"]
        return chain + command
    }

    /// The operating system the job runs on: /usr read-only (and the merged-/usr links to it), the
    /// few files of /etc that programs need to resolve names, users and certificates. Nothing of
    /// /etc's other files (the server's configuration among them), /var, /home, /root or /srv.
    static func systemBinds() -> [String] {
        var binds = ["--ro-bind", "/usr", "/usr"]
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) {
                binds += ["--symlink", target, top]
            } else if FileManager.default.fileExists(atPath: top) {
                binds += ["--ro-bind", top, top]
            }
        }
        for file in [
            "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/resolv.conf", "/etc/host.conf", "/etc/localtime",
            "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/ssl", "/etc/ca-certificates", "/etc/alternatives",
            "/etc/mime.types", "/etc/python3", "/etc/gai.conf",
        ] {
            binds += ["--ro-bind-try", file, file]
        }
        return binds
    }
}
