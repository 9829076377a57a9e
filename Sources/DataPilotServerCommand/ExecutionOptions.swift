import ArgumentParser

/// The flags of run execution: which executors run code, and the local executor's isolation.
struct ExecutionOptions: ParsableArguments {
    @Option(
        help:
            "Executors that run code: none (default), kubernetes, local, or both as a comma list. local runs jobs on this machine: one trusted team only (docs/security.md)."
    )
    var executors: String?
    @Option(
        name: .customLong("executor-user"),
        help: "Local executor: the unprivileged user jobs run as when the server is root (default nobody).")
    var executorUser: String?
    @Option(name: .customLong("executor-allow-root"), help: "Local executor: true lets executor-user be root (default false).")
    var executorAllowRoot: String?
    @Option(
        name: .customLong("executor-sandbox"),
        help: "Local executor: bwrap (default; bubblewrap namespaces, jobs see no server process, file or socket) or none.")
    var executorSandbox: String?
    @Option(name: .customLong("executor-cpu-seconds"), help: "Local executor: CPU time limit per job (default 86400).")
    var executorCPUSeconds: Int64?
    @Option(name: .customLong("executor-memory-bytes"), help: "Local executor: address-space limit per job process (default 8 GiB).")
    var executorMemoryBytes: Int64?
    @Option(name: .customLong("executor-open-files"), help: "Local executor: open files per job process (default 1024).")
    var executorOpenFiles: Int64?
    @Option(name: .customLong("executor-processes"), help: "Local executor: processes of the job user (default 512).")
    var executorProcesses: Int64?
    @Option(
        name: .customLong("executor-output-bytes"), help: "Local executor: largest file (run.log included) a job writes (default 10 GiB).")
    var executorOutputBytes: Int64?
    @Option(name: .customLong("executor-timeout-seconds"), help: "Local executor: wall-clock limit per job (default 86400).")
    var executorTimeoutSeconds: Int64?
    @Option(
        name: .customLong("executor-read-only-paths"), help: "Local executor: comma list of absolute paths a job may read (its code, say).")
    var executorReadOnlyPaths: String?

    var settings: [(String, String?)] {
        [
            ("executors", executors), ("executor-user", executorUser), ("executor-allow-root", executorAllowRoot),
            ("executor-sandbox", executorSandbox),
            ("executor-cpu-seconds", executorCPUSeconds.map(String.init)), ("executor-memory-bytes", executorMemoryBytes.map(String.init)),
            ("executor-open-files", executorOpenFiles.map(String.init)), ("executor-processes", executorProcesses.map(String.init)),
            ("executor-output-bytes", executorOutputBytes.map(String.init)),
            ("executor-timeout-seconds", executorTimeoutSeconds.map(String.init)),
            ("executor-read-only-paths", executorReadOnlyPaths),
        ]
    }
}
