import Audit
import Foundation
import Logging
import Manifests
import Postgres
import ServiceKit
import ServiceLifecycle

/// Starts runs through an executor and, for the local one, watches each process to its end:
/// heartbeats while it lives, a kill when the run is cancelled (here or on another replica),
/// its output kept as the `run.log` artifact, and the final state from its exit.
public actor Executors {
    let pool: ConnectionPool
    let settings: ExecutionSettings
    let artifacts: ArtifactStore
    let logger: Logger
    /// Called once a locally executed run has reached its final state (builds evidence when asked).
    let onFinish: @Sendable (RunRecord) async -> Void
    private var processes: [String: ChildProcess] = [:]
    /// Runs as Kubernetes Jobs (Kubernetes/): submits, follows, cancels and collects them.
    let kubernetes: KubernetesExecutor

    init(
        pool: ConnectionPool, settings: ExecutionSettings, artifacts: ArtifactStore, logger: Logger,
        onFinish: @escaping @Sendable (RunRecord) async -> Void
    ) {
        self.pool = pool
        self.settings = settings
        self.artifacts = artifacts
        self.logger = logger
        self.onFinish = onFinish
        kubernetes = KubernetesExecutor(pool: pool, settings: settings, artifacts: artifacts, logger: logger, onFinish: onFinish)
    }

    /// The executors' periodic work, for the server's service group: only a server that runs the
    /// Kubernetes executor collects and adopts its Jobs.
    nonisolated var services: [any Service] {
        var services: [any Service] = settings.enabled.isEmpty ? [] : [HeldRuns(executors: self)]
        if settings.enabled.contains(.kubernetes) && kubernetes.cluster.configured {
            services.append(KubernetesHousekeeping(kubernetes: kubernetes))
        }
        return services
    }

    /// Starts `run`, which must be QUEUED and (for the local executor) have a command, with an
    /// executor the operator enabled.
    /// With `uid`, only the run of that uid (the one the executor reviewed) is started.
    func execute(_ run: String, kind: ExecutorKind, uid: String? = nil, actor: String, requestID: String) async throws -> (
        RunRecord, [JSONMember]
    ) {
        _ = try ExecutionPolicy.choose(kind.rawValue, enabled: settings.enabled)
        switch kind {
        case .local: return try await startLocal(run, uid: uid, actor: actor, requestID: requestID)
        case .kubernetes: return try await kubernetes.start(run, uid: uid, actor: actor, requestID: requestID)
        }
    }

    /// The run, locked, QUEUED and not taken by an executor yet, and (with `uid`) still the run
    /// the executor reviewed: an editor may have deleted it and created another of the same name.
    static func requireQueued(_ record: RunRecord?, _ run: String, uid: String? = nil) throws -> RunRecord {
        guard let record else { throw Problem.notFound("Run \"\(run)\"") }
        if let uid, record.uid != uid {
            throw Problem(
                .conflict, title: "Run was replaced",
                detail:
                    "run \"\(run)\" now has uid \(record.uid), not \(uid): it was deleted and created again since you read it; review the new run, then execute it with its uid"
            )
        }
        guard record.state == .queued, record.executor == nil else {
            throw Problem(
                .conflict, title: "Run already started",
                detail:
                    "Run \"\(run)\" is \(record.state.rawValue)\(record.executor.map { " (executor \($0))" } ?? ""); execute a new run instead"
            )
        }
        return record
    }

    private func startLocal(_ run: String, uid: String?, actor: String, requestID: String) async throws -> (RunRecord, [JSONMember]) {
        let started = try await pool.withTransaction { connection -> RunRecord in
            let record = try Self.requireQueued(try RunRecord.load(run, forUpdate: true, on: connection), run, uid: uid)
            guard let command = record.spec["command"]?.strings(), !command.isEmpty else {
                throw Problem(
                    .unprocessableContent, title: "No command",
                    detail: "Run \"\(run)\" has no spec.command; the local executor needs the command to run")
            }
            return try RunLedger.transition(
                run, to: .running, message: "started by the local executor", executor: ExecutorKind.local.rawValue,
                actor: actor, requestID: requestID, on: connection)
        }
        let base = settings.workDirectory + "/\(run)-\(UUID().uuidString.prefix(8).lowercased())"
        let work = base + "/work"
        let log = base + "/run.log"
        do {
            guard let launcher = settings.launcher else {
                throw ChildProcess.SpawnError(description: "the local executor is not configured")
            }
            try Self.makeWorkFolder(base: base, work: work, for: launcher)
            let token = settings.issueToken(run, started.uid)
            let inSandbox = launcher.isolation.sandbox == .bwrap
            let child = try ChildProcess(
                arguments: launcher.arguments(command: started.spec["command"]?.strings() ?? [], work: work),
                environment: settings.environment(run: run, token: token, work: inSandbox ? "/work" : work), log: log)
            processes[run] = child
            logger.info("run started", metadata: ["run": .string(run), "pid": .string(String(child.pid))])
            let timeout = launcher.isolation.timeoutSeconds
            Task { await self.watch(run, child: child, base: base, log: log, timeoutSeconds: timeout) }
        } catch {
            let message = "the local executor could not start the command: \(error)"
            let failed = try await pool.withTransaction {
                try RunLedger.transition(run, to: .failed, message: message, actor: "executor:local", requestID: requestID, on: $0)
            }
            try? FileManager.default.removeItem(atPath: base)
            return (failed, [])
        }
        return (started, [])
    }

    /// Records that a run asked to execute on creation could not start.
    func failToStart(_ run: String, reason: String, requestID: String) async {
        do {
            _ = try await pool.withTransaction {
                try RunLedger.transition(run, to: .failed, message: reason, actor: "executor:local", requestID: requestID, on: $0)
            }
        } catch {
            logger.warning(
                "a run could not start, nor be marked FAILED",
                metadata: ["run": .string(run), "reason": .string(reason), "error": .string("\(error)")])
        }
    }

    /// Stops a locally running process at once (SIGTERM to its group, SIGKILL after the grace),
    /// or deletes the Job of a cancelled Kubernetes run.
    func cancel(_ run: String) {
        guard let child = processes[run] else {
            Task { [kubernetes] in await kubernetes.cancel(run) }
            return
        }
        child.signalGroup(SIGTERM)
        let grace = settings.killGraceSeconds
        Task {
            try? await Task.sleep(for: .seconds(grace))
            child.signalGroup(SIGKILL)
        }
    }

    /// The run's folder (the server's, 0711: the job may pass through, not list it) holding the
    /// log (the server's, 0600) and the work folder (the job user's own, 0700).
    static func makeWorkFolder(base: String, work: String, for launcher: LocalLauncher) throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        chmod(base, 0o711)
        chmod(work, 0o700)
        if let (uid, gid) = launcher.switchTo, chown(work, uid, gid) != 0 {
            throw ChildProcess.SpawnError(
                description: "cannot give the work folder \(work) to the job's user: \(String(cString: strerror(errno)))")
        }
    }

    private func watch(_ run: String, child: ChildProcess, base: String, log: String, timeoutSeconds: Int64) async {
        var lastBeat = ContinuousClock.now
        var cancelled = false
        var timedOut = false
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while child.poll() == nil {
            try? await Task.sleep(for: .milliseconds(200))
            if !timedOut, ContinuousClock.now >= deadline {
                timedOut = true
                logger.warning(
                    "run exceeded its wall-clock limit; stopping it",
                    metadata: ["run": .string(run), "seconds": .string(String(timeoutSeconds))])
                cancel(run)
            }
            guard ContinuousClock.now - lastBeat >= .seconds(settings.heartbeatSeconds) else { continue }
            lastBeat = ContinuousClock.now
            let live: Bool
            do {
                live = try await pool.withConnection { connection in
                    try connection.query(
                        "update runs set heartbeat_at = now() where name = $1 and state = 'RUNNING' returning cancel_requested::text as c",
                        [run]
                    )
                    .first?["c"] == "false"
                }
            } catch {
                logger.warning("cannot record the run's heartbeat", metadata: ["run": .string(run), "error": .string("\(error)")])
                continue
            }
            // Cancelled (here or on another replica), or finished or lost behind our back: stop the process.
            if !live, !cancelled {
                cancelled = true
                cancel(run)
            }
        }
        processes[run] = nil
        let termination = child.poll()!
        let requested = (try? await pool.withConnection { try RunRecord.load(run, on: $0) })??.cancelRequested ?? false
        let requestID = "executor-\(UUID().uuidString.lowercased())"
        if let (sha256, size) = try? await FileDigest.sha256(path: log) {
            do {
                _ = try await artifacts.record(
                    run: run, name: ArtifactStore.logName, path: log, sha256: sha256, size: size, contentType: "text/plain; charset=utf-8",
                    actor: "executor:local", requestID: requestID)
            } catch {
                logger.error("cannot keep the run's log", metadata: ["run": .string(run), "error": .string("\(error)")])
            }
        }
        let (state, message): (RunState, String) =
            switch termination {
            case _ where timedOut:
                (
                    .failed,
                    "stopped at the wall-clock limit of \(timeoutSeconds) s (executor-timeout-seconds); the process \(termination.description)"
                )
            case _ where requested || cancelled: (.cancelled, "cancelled; the process \(termination.description)")
            case .exited(0): (.succeeded, "the process exited with status 0")
            default: (.failed, "the process \(termination.description)")
            }
        let exitCode: Int32? = if case .exited(let code) = termination { code } else { nil }
        do {
            let record = try await pool.withTransaction {
                try RunLedger.transition(
                    run, to: state, message: message, exitCode: exitCode, actor: "executor:local", requestID: requestID, on: $0)
            }
            logger.info("run finished", metadata: ["run": .string(run), "state": .string(state.rawValue)])
            await onFinish(record)
        } catch {
            // The process (with its token) or a person already gave the run its final state: keep theirs, record the exit code.
            if let record = try? await pool.withConnection({ connection -> RunRecord? in
                if let exitCode {
                    try connection.query(
                        "update runs set exit_code = coalesce(exit_code, $2::integer) where name = $1", [run, String(exitCode)])
                }
                return try RunRecord.load(run, on: connection)
            }), record.state.isFinal {
                await onFinish(record)
            } else {
                logger.warning(
                    "run ended but its state could not be recorded", metadata: ["run": .string(run), "error": .string("\(error)")])
            }
        }
        try? FileManager.default.removeItem(atPath: base)
    }
}
