import Logging
import Postgres
import ServiceKit
import ServiceLifecycle

/// Marks runs LOST when their heartbeat stops: every `interval`, on every replica (the claim
/// is SKIP LOCKED, so replicas never fight over a run).
public struct Reaper: Service {
    let pool: ConnectionPool
    let timeoutSeconds: Int
    let logger: Logger

    public init(pool: ConnectionPool, timeoutSeconds: Int, logger: Logger) {
        self.pool = pool
        self.timeoutSeconds = timeoutSeconds
        self.logger = logger
    }

    /// Reaps every interval until the service group shuts down (or the task is cancelled).
    public func run() async {
        let interval = Duration.milliseconds(max(250, min(timeoutSeconds * 1000 / 4, 30_000)))
        var steps = ClockStepGuard(timeoutSeconds: timeoutSeconds)
        repeat {
            do {
                let databaseNow = try await pool.withConnection { try RunLedger.databaseNow(on: $0) }
                let now = ContinuousClock.now
                if let databaseNow, let step = steps.observe(databaseNow: databaseNow, at: now) {
                    logger.warning(
                        "the database's clock stepped forward; marking no run LOST for one heartbeat timeout",
                        metadata: ["step_s": .stringConvertible(Int(step)), "timeout_s": .stringConvertible(timeoutSeconds)])
                }
                guard steps.mayReap(at: now) else { continue }
                let lost = try await pool.withTransaction { [timeoutSeconds] in try RunLedger.reap(timeoutSeconds: timeoutSeconds, on: $0) }
                for run in lost {
                    logger.warning(
                        "run lost: no heartbeat", metadata: ["run": .string(run), "timeout_s": .stringConvertible(timeoutSeconds)])
                }
            } catch {
                logger.warning("the run reaper failed; retrying", metadata: ["error": .string("\(error)")])
            }
        } while await Pause.next(interval)
    }
}
