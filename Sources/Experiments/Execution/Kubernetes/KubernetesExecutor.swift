import Foundation
import KubernetesClient
import Logging
import Manifests
import Postgres
import ServiceKit

/// The Kubernetes executor: submits a run as a Job (with the Secret holding its token and a
/// NetworkPolicy), follows the Job to its end while heartbeating the run, keeps the pod's log
/// as `run.log`, maps the Job's end to the run's state, deletes the Job on cancel, and
/// garbage-collects finished Jobs (KubernetesCollector.swift).
struct KubernetesExecutor: Sendable {
    let pool: ConnectionPool
    let settings: ExecutionSettings
    let artifacts: ArtifactStore
    let logger: Logger
    let onFinish: @Sendable (RunRecord) async -> Void
    let cluster: KubernetesCluster
    static let actor = "executor:kubernetes"
    /// The most of a pod's log kept as `run.log` (the API's `limitBytes`).
    static let maxLogBytes = 256 << 20

    init(
        pool: ConnectionPool, settings: ExecutionSettings, artifacts: ArtifactStore, logger: Logger,
        onFinish: @escaping @Sendable (RunRecord) async -> Void
    ) {
        self.pool = pool
        self.settings = settings
        self.artifacts = artifacts
        self.logger = logger
        self.onFinish = onFinish
        cluster = KubernetesCluster(kubeconfig: settings.kubeconfig, namespace: settings.kubernetesNamespace)
    }

    static func jobs(_ namespace: String) -> String { "/apis/batch/v1/namespaces/\(namespace)/jobs" }

    /// Moves the queued run to RUNNING and submits its Job; a Job the API refuses ends the run
    /// FAILED with the API's answer. A server with no cluster credentials answers 503.
    func start(_ run: String, uid: String? = nil, actor: String, requestID: String) async throws -> (RunRecord, [JSONMember]) {
        let (api, namespace) = try await cluster.require()
        let started = try await pool.withTransaction { connection -> RunRecord in
            let record = try Executors.requireQueued(try RunRecord.load(run, forUpdate: true, on: connection), run, uid: uid)
            guard record.spec["image"]?["reference"]?.stringValue != nil, record.spec["command"]?.strings().isEmpty == false else {
                throw Problem(
                    .unprocessableContent, title: "Incomplete run",
                    detail: "Run \"\(run)\" needs spec.image and spec.command for the Kubernetes executor")
            }
            let job = KubernetesJob.name(for: run, uid: record.uid)
            return try RunLedger.transition(
                run, to: .running, message: "running as the Kubernetes Job \(job) in namespace \(namespace)",
                executor: ExecutorKind.kubernetes.rawValue, actor: actor, requestID: requestID, on: connection)
        }
        let uid = started.uid
        let job = KubernetesJob.name(for: run, uid: uid)
        let details = [JSONMember("kubernetes", ["namespace": .string(namespace), "job": .string(job)])]
        do {
            // Heartbeats go on while the API answers (slowly, perhaps), so no replica takes the run for orphaned.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await submit(started, job: job, api: api, namespace: namespace) }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(settings.heartbeatSeconds))
                        _ = await heartbeat(run, uid: uid)
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            logger.error(
                "cannot submit a run's Kubernetes Job", metadata: ["run": .string(run), "job": .string(job), "error": .string("\(error)")])
            let message = "the Kubernetes executor could not submit the Job \(job): \(error)"
            let failed = try await pool.withTransaction {
                try RunLedger.transition(run, to: .failed, message: message, actor: Self.actor, requestID: requestID, on: $0)
            }
            return (failed, details)
        }
        logger.info(
            "run submitted as a Kubernetes Job", metadata: ["run": .string(run), "job": .string(job), "namespace": .string(namespace)])
        Task { await follow(run, uid: uid, job: job, api: api, namespace: namespace) }
        return (started, details)
    }

    /// The Job first, suspended (no pod yet); then its Secret and NetworkPolicy, each owned by
    /// the Job, so deleting the Job deletes them; then the Job may start. A 409 AlreadyExists is
    /// an earlier attempt of this same submission (every name carries the run's uid). When a
    /// later step fails, this run's Job is deleted again (never a Job of that name that is not its).
    func submit(_ record: RunRecord, job: String, api: KubernetesAPI, namespace: String) async throws(KubernetesError) {
        let rendered = KubernetesJob.render(
            run: record.name, uid: record.uid, spec: record.spec, publicURL: settings.publicURL,
            namespace: namespace, token: settings.issueToken(record.name, record.uid),
            ttlSecondsAfterFinished: settings.kubernetesJobRetentionSeconds, suspend: true)
        let path = Self.jobs(namespace) + "/" + job
        var created: JSONValue
        do {
            created = try await api.send("POST", Self.jobs(namespace), body: rendered.job)
        } catch  where error.isAlreadyExists {
            created = try await api.send("GET", path)
            guard created["metadata"]?["labels"]?[KubernetesJob.runUIDLabel]?.stringValue == record.uid else {
                throw KubernetesError(
                    status: 409, reason: "AlreadyExists",
                    description:
                        "a Job named \(job) already exists in namespace \(namespace) and is not this run's; delete it (kubectl delete job \(job) -n \(namespace))"
                )
            }
        }
        guard let jobUID = created["metadata"]?["uid"]?.stringValue else {
            throw KubernetesError(
                status: nil, reason: "BadResponse", description: "the Kubernetes API answered the Job \(job) without its metadata.uid")
        }
        let dependents = [
            ("/api/v1/namespaces/\(namespace)/secrets", rendered.secret),
            ("/apis/networking.k8s.io/v1/namespaces/\(namespace)/networkpolicies", rendered.networkPolicy),
        ]
        do {
            for (collection, object) in dependents {
                do {
                    _ = try await api.send("POST", collection, body: KubernetesJob.owned(object, byJob: job, uid: jobUID))
                } catch  where error.isAlreadyExists {
                    // This submission's own, from an earlier attempt.
                }
            }
            _ = try await api.send("PATCH", path, body: ["spec": ["suspend": false]], contentType: "application/merge-patch+json")
        } catch {
            try? await delete(job, api: api, namespace: namespace, uid: jobUID)
            throw error
        }
    }

    /// Deletes the Job; `Background` propagation lets the cluster delete its pods, Secret and
    /// NetworkPolicy after it. A Job already gone is fine.
    /// With `uid`, only that very Job (a DeleteOptions precondition).
    func delete(_ job: String, api: KubernetesAPI, namespace: String, uid: String? = nil) async throws(KubernetesError) {
        var options: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"]
        if let uid, case .object(var members) = options {
            members.append(JSONMember("preconditions", ["uid": .string(uid)]))
            options = .object(members)
        }
        do {
            _ = try await api.send("DELETE", Self.jobs(namespace) + "/" + job, body: options)
        } catch  where error.isNotFound {}
    }

    /// Called by the cancel route (on whichever replica it reached): a cancelled Kubernetes run's Job goes at once.
    func cancel(_ run: String) async {
        guard let record = try? await pool.withConnection({ try RunRecord.load(run, on: $0) }),
            record.executor == ExecutorKind.kubernetes.rawValue, record.state == .cancelled
        else { return }
        let job = KubernetesJob.name(for: run, uid: record.uid)
        do {
            let (api, namespace) = try await cluster.connect()
            try await delete(job, api: api, namespace: namespace)
            logger.info("deleted the Kubernetes Job of a cancelled run", metadata: ["run": .string(run), "job": .string(job)])
        } catch {
            logger.warning(
                "cannot delete the Kubernetes Job of a cancelled run; the replica following it deletes it at its next heartbeat",
                metadata: ["run": .string(run), "job": .string(job), "error": .string(error.description)])
        }
    }
}
