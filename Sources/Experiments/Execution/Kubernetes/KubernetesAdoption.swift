import Foundation
import KubernetesClient
import Logging
import Postgres
import ServiceKit

extension KubernetesExecutor {
    /// How old a Kubernetes run's heartbeat must be before its follower counts as gone: three
    /// heartbeat intervals, past the follower's own rhythm (a beat between watch slices of at most
    /// an interval each) and before the reaper's timeout (four intervals or more).
    var orphanSeconds: Double { 3 * settings.heartbeatSeconds }

    /// Follows again the Jobs whose follower is gone (the server that submitted them stopped):
    /// a replica claims each such RUNNING run with a heartbeat (one UPDATE, so two replicas never
    /// both claim it) and follows its Job to its end.
    func adoptOrphans() async {
        guard let connected = try? await cluster.connect() else { return }
        let (api, namespace) = connected
        do {
            let claimed = try await pool.withConnection { connection in
                try connection.query(
                    """
                    update runs set heartbeat_at = now()
                    where state = 'RUNNING' and executor = 'kubernetes' and heartbeat_at < now() - make_interval(secs => $1::double precision)
                    returning name, uid::text as uid
                    """, [String(orphanSeconds)])
            }
            for row in claimed {
                guard let run = row["name"], let uid = row["uid"] else { continue }
                let job = KubernetesJob.name(for: run, uid: uid)
                logger.info(
                    "following the Kubernetes Job of a run whose follower is gone", metadata: ["run": .string(run), "job": .string(job)])
                Task { await follow(run, uid: uid, job: job, api: api, namespace: namespace) }
            }
        } catch {
            logger.warning("cannot look for Kubernetes runs nobody follows; trying again later", metadata: ["error": .string("\(error)")])
        }
    }

    /// Looks for runs nobody follows twice every heartbeat interval, until the service group shuts down.
    func adoptForever() async {
        repeat {
            await adoptOrphans()
        } while await Pause.next(.seconds(max(0.25, settings.heartbeatSeconds / 2)))
    }
}
