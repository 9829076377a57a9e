import Foundation
import KubernetesClient
import Logging
import Manifests
import Postgres
import ServiceKit

extension KubernetesExecutor {
    /// Every replica, now and then: deletes (Background) the executor's Jobs (label
    /// `app.kubernetes.io/managed-by=datapilot`) that finished more than
    /// `kubernetes-job-retention-seconds` ago, and its active Jobs whose run is no longer
    /// RUNNING (a server that was following them stopped, and the run was marked LOST: its
    /// token is dead, so the Job can only waste the cluster's time).
    func collectGarbage() async {
        guard let connected = try? await cluster.connect() else { return }
        let (api, namespace) = connected
        do {
            let list = try await api.send(
                "GET", Self.jobs(namespace), query: [("labelSelector", "\(KubernetesJob.managedBy.0)=\(KubernetesJob.managedBy.1)")])
            let cutoff = Date().addingTimeInterval(-Double(settings.kubernetesJobRetentionSeconds))
            let dates = ISO8601DateFormatter()
            for job in list["items"]?.arrayValue ?? [] {
                guard let name = job["metadata"]?["name"]?.stringValue else { continue }
                let why: String
                if KubernetesJobStatus(job).isFinal {
                    guard let finished = KubernetesJobStatus.finishedAt(job).flatMap(dates.date(from:)), finished < cutoff else { continue }
                    why = "finished more than \(settings.kubernetesJobRetentionSeconds) s ago"
                } else {
                    guard let uid = job["metadata"]?["labels"]?[KubernetesJob.runUIDLabel]?.stringValue,
                        try await !isRunning(uid: uid)
                    else { continue }
                    why = "its run is no longer RUNNING"
                }
                try await delete(name, api: api, namespace: namespace)
                logger.info("deleted a Kubernetes Job of the executor", metadata: ["job": .string(name), "why": .string(why)])
            }
        } catch {
            logger.warning(
                "cannot collect the executor's finished Kubernetes Jobs; trying again later", metadata: ["error": .string("\(error)")])
        }
    }

    func isRunning(uid: String) async throws -> Bool {
        guard UUID(uuidString: uid) != nil else { return false }
        return try await pool.withConnection { connection in
            try !connection.query("select 1 from runs where uid = $1::uuid and state = 'RUNNING'", [uid]).isEmpty
        }
    }

    /// Collects at start, then every quarter of the retention (between 1 s and 5 min), until the
    /// service group shuts down.
    func collectForever() async {
        let interval = Duration.seconds(max(1, min(300, settings.kubernetesJobRetentionSeconds / 4)))
        repeat {
            await collectGarbage()
        } while await Pause.next(interval)
    }
}
