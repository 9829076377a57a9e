import Foundation
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle

/// Evaluates new dataset versions against their dataset's rules without being asked: every
/// stored version that has rules and no evaluation yet (rules applied after their versions, as
/// the reconciler's dependency order does, count too). Each version is claimed with a queued
/// evaluation row under an advisory lock, so replicas never evaluate one twice.
public struct AutoEvaluator: Service {
    let evaluations: Evaluations
    let logger: Logger
    let interval: Duration

    public init(evaluations: Evaluations, logger: Logger, interval: Duration = .seconds(2)) {
        self.evaluations = evaluations
        self.logger = logger
        self.interval = interval
    }

    /// Evaluates what is waiting, then looks again every interval, until the service group shuts
    /// down (the evaluation in progress finishes first) or the task is cancelled.
    public func run() async {
        repeat {
            do {
                while !Pause.stopping, let (id, version) = try await claim() {
                    do {
                        _ = try await evaluations.run(
                            version: version, ruleNames: nil, checks: nil, trigger: "auto", actor: "system:quality",
                            requestID: "auto-evaluate-\(id)", claimed: id)
                    } catch {
                        logger.warning(
                            "automatic evaluation failed", metadata: ["version": .string(version), "error": .string("\(error)")])
                        _ = try? await evaluations.pool.withConnection {
                            try $0.query(
                                "update evaluations set state = 'ERROR', outcome = 'ERROR', error = $2, finished_at = now() where id = $1",
                                [id, String("\(error)".prefix(2000))])
                        }
                    }
                }
            } catch {
                logger.warning("automatic evaluation cannot look for work; retrying", metadata: ["error": .string("\(error)")])
            }
        } while await Pause.next(interval)
    }

    /// The next version to evaluate, claimed by a queued evaluation row.
    func claim() async throws -> (id: String, version: String)? {
        try await evaluations.pool.withTransaction { connection in
            guard
                let row = try connection.query(
                    """
                    select v.name, v.dataset, v.sha256 from dataset_versions v
                    where v.object_key is not null
                      and exists (select 1 from quality_rules r where r.spec->>'dataset' = v.dataset)
                      and not exists (select 1 from evaluations e where e.dataset_version = v.name)
                    order by v.created_at limit 1
                    """
                ).first
            else { return nil }
            let version = row["name"]!
            guard try connection.query("select pg_try_advisory_xact_lock(hashtext($1)) as ok", ["evaluate/" + version]).first?["ok"] == "t"
            else { return nil }
            guard try connection.query("select 1 from evaluations where dataset_version = $1", [version]).isEmpty else { return nil }
            let id = Evaluations.newID(for: version)
            try connection.query(
                """
                insert into evaluations (id, dataset, dataset_version, version_sha256, rules, trigger, state, created_by)
                values ($1, $2, $3, $4, '[]', 'auto', 'QUEUED', 'system:quality')
                """, [id, row["dataset"]!, version, row["sha256"]!])
            return (id, version)
        }
    }
}
