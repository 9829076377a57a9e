import Foundation
import KubernetesClient
import Logging
import Manifests
import Postgres
import ServiceKit

extension KubernetesExecutor {
    enum Liveness { case live, stopped, unknown }

    /// Follows the Job to its end: watches it (list, then watch from the resourceVersion, a new
    /// list after 410 Gone) in slices of the heartbeat interval, heartbeating the run between
    /// slices (a run whose heartbeat stops is taken over by another replica, KubernetesAdoption.swift).
    /// A run that stops being RUNNING here (cancelled on another replica, finished
    /// through the API, LOST) gets its Job deleted.
    func follow(_ run: String, uid: String, job: String, api: KubernetesAPI, namespace: String) async {
        guard await cluster.startFollowing(uid) else { return }
        await followJob(run, uid: uid, job: job, api: api, namespace: namespace)
        await cluster.stopFollowing(uid)
    }

    private func followJob(_ run: String, uid: String, job: String, api: KubernetesAPI, namespace: String) async {
        var watch = ObjectWatch(api: api, collection: Self.jobs(namespace), name: job)
        let slice = max(1, Int(settings.heartbeatSeconds.rounded(.down)))
        var lastBeat = ContinuousClock.now
        var backoff = 1.0
        var status = KubernetesJobStatus.active
        while !status.isFinal {
            if ContinuousClock.now - lastBeat >= .seconds(settings.heartbeatSeconds) {
                lastBeat = .now
                if await heartbeat(run, uid: uid) == .stopped {
                    let requestID = "executor-\(UUID().uuidString.lowercased())"
                    let exitCode = await keepLog(run, job: job, api: api, namespace: namespace, requestID: requestID)
                    do {
                        try await delete(job, api: api, namespace: namespace)
                    } catch {
                        logger.warning(
                            "cannot delete the Job of a run that stopped",
                            metadata: ["run": .string(run), "error": .string(error.description)])
                    }
                    await end(
                        run, uid: uid, state: .cancelled, message: "cancelled; the Kubernetes Job \(job) was deleted",
                        exitCode: exitCode, requestID: requestID)
                    return
                }
            }
            do {
                status = KubernetesJobStatus(try await watch.update(seconds: slice) { KubernetesJobStatus($0).isFinal })
                backoff = 1
            } catch  where error.isPermanent {
                let requestID = "executor-\(UUID().uuidString.lowercased())"
                try? await delete(job, api: api, namespace: namespace)
                await end(
                    run, uid: uid, state: .failed, message: "the Kubernetes executor cannot follow the Job \(job): \(error.description)",
                    exitCode: nil, requestID: requestID)
                return
            } catch {
                logger.warning(
                    "cannot watch a run's Kubernetes Job; retrying",
                    metadata: [
                        "run": .string(run), "job": .string(job), "error": .string(error.description),
                        "retry_s": .stringConvertible(backoff),
                    ])
                try? await Task.sleep(for: .seconds(backoff))
                // No longer than a heartbeat interval: the run's heartbeat must go on meanwhile.
                backoff = min(backoff * 2, max(1, settings.heartbeatSeconds))
            }
        }
        let requestID = "executor-\(UUID().uuidString.lowercased())"
        let exitCode = await keepLog(run, job: job, api: api, namespace: namespace, requestID: requestID)
        let (state, message): (RunState, String) =
            switch status {
            case .complete: (.succeeded, "the Kubernetes Job \(job) completed")
            case .failed(let reason, let detail):
                (.failed, "the Kubernetes Job \(job) failed: \(reason)" + (detail.isEmpty ? "" : ": \(detail)"))
            case .gone, .active: (.failed, "the Kubernetes Job \(job) was deleted before it finished")
            }
        await end(run, uid: uid, state: state, message: message, exitCode: exitCode, requestID: requestID)
    }

    /// A sign of life for the run, if it is still this run (same uid) and RUNNING, and nobody asked to stop it.
    func heartbeat(_ run: String, uid: String) async -> Liveness {
        do {
            let rows = try await pool.withConnection { connection in
                try connection.query(
                    """
                    update runs set heartbeat_at = now() where name = $1 and uid = $2::uuid and state = 'RUNNING'
                    returning cancel_requested::text as c
                    """, [run, uid])
            }
            return rows.first?["c"] == "false" ? .live : .stopped
        } catch {
            logger.warning("cannot record the run's heartbeat", metadata: ["run": .string(run), "error": .string("\(error)")])
            return .unknown
        }
    }

    /// The exit code of the Job's (latest) pod, and its log kept as the artifact `run.log`.
    func keepLog(_ run: String, job: String, api: KubernetesAPI, namespace: String, requestID: String) async -> Int32? {
        let pod: JSONValue
        do {
            let pods = try await api.send("GET", "/api/v1/namespaces/\(namespace)/pods", query: [("labelSelector", "job-name=\(job)")])
            let items = pods["items"]?.arrayValue ?? []
            guard
                let latest = items.max(by: {
                    ($0["metadata"]?["creationTimestamp"]?.stringValue ?? "") < ($1["metadata"]?["creationTimestamp"]?.stringValue ?? "")
                })
            else {
                logger.info("the run's Job has no pod; no log to keep", metadata: ["run": .string(run), "job": .string(job)])
                return nil
            }
            pod = latest
        } catch {
            logger.warning("cannot list the pods of a run's Job", metadata: ["run": .string(run), "error": .string(error.description)])
            return nil
        }
        let container = pod["status"]?["containerStatuses"]?.arrayValue?.first { $0["name"]?.stringValue == "run" }
        let exitCode = container?["state"]?["terminated"]?["exitCode"]?.numberValue.map { Int32($0) }
        guard let name = pod["metadata"]?["name"]?.stringValue else { return exitCode }
        let file = settings.workDirectory + "/\(run)-\(UUID().uuidString.prefix(8).lowercased()).log"
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            try await api.download(
                "/api/v1/namespaces/\(namespace)/pods/\(name)/log",
                query: [("container", "run"), ("limitBytes", String(Self.maxLogBytes))], to: file)
            let (sha256, size) = try await FileDigest.sha256(path: file)
            _ = try await artifacts.record(
                run: run, name: ArtifactStore.logName, path: file, sha256: sha256, size: size,
                contentType: "text/plain; charset=utf-8", actor: Self.actor, requestID: requestID)
        } catch {
            logger.warning(
                "cannot keep the log of a run's pod", metadata: ["run": .string(run), "pod": .string(name), "error": .string("\(error)")])
        }
        return exitCode
    }

    /// Gives the run its final state, unless it has one already (cancelled, or set by its own
    /// process): then only the exit code is added. Either way the finished run goes to `onFinish`.
    func end(_ run: String, uid: String, state: RunState, message: String, exitCode: Int32?, requestID: String) async {
        do {
            let record = try await pool.withTransaction { connection -> RunRecord? in
                guard let current = try RunRecord.load(run, forUpdate: true, on: connection), current.uid == uid else { return nil }
                guard !current.state.isFinal else {
                    if let exitCode {
                        try connection.query(
                            "update runs set exit_code = coalesce(exit_code, $2::integer) where name = $1", [run, String(exitCode)])
                    }
                    return try RunRecord.load(run, on: connection)
                }
                return try RunLedger.transition(
                    run, to: state, message: message, exitCode: exitCode, actor: Self.actor, requestID: requestID, on: connection)
            }
            guard let record else { return }
            logger.info("run finished", metadata: ["run": .string(run), "state": .string(record.state.rawValue)])
            await onFinish(record)
        } catch {
            logger.warning("run ended but its state could not be recorded", metadata: ["run": .string(run), "error": .string("\(error)")])
        }
    }
}
