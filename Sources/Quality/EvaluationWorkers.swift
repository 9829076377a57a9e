import Foundation
import Logging
import Postgres
import ServiceKit
import ServiceLifecycle

/// The workers that take queued evaluations and Pending versions (`EvaluationQueue`), on every
/// replica that runs the Quality service: `count` at once, each claiming one piece of work at a
/// time and looking again every `interval` when there is none. A claim whose worker died is
/// queued again after the queue's `staleAfter`.
public struct EvaluationWorkers: Service {
    let evaluations: Evaluations
    let queue: EvaluationQueue
    let logger: Logger
    let count: Int
    let interval: Duration
    /// This process, as claims name their worker: `host:pid`.
    let identity: String

    public init(evaluations: Evaluations, logger: Logger, count: Int = 1, interval: Duration = .milliseconds(500)) {
        self.evaluations = evaluations
        self.queue = EvaluationQueue(pool: evaluations.pool)
        self.logger = logger
        self.count = max(1, count)
        self.interval = interval
        identity = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Runs the workers until the service group shuts down (each finishes the evaluation it is in).
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<count { group.addTask { await work("\(identity)/\(index)") } }
            group.addTask { await reclaim() }
        }
    }

    func work(_ worker: String) async {
        repeat {
            do {
                while !Pause.stopping, let claim = try await queue.claim(worker: worker) {
                    let result = try await evaluations.run(claim, requestID: "evaluate-\(claim.id)")
                    logger.info(
                        "evaluated",
                        metadata: [
                            "version": .string(claim.version), "evaluation": .string(claim.id),
                            "outcome": .string(result["outcome"]?.stringValue ?? "?"), "trigger": .string(claim.trigger),
                        ])
                }
            } catch {
                logger.warning("the evaluation worker cannot take work; retrying", metadata: ["error": .string("\(error)")])
            }
        } while await Pause.next(interval)
    }

    /// Once a minute: claims whose worker died are queued again.
    func reclaim() async {
        repeat {
            do {
                let moved = try await queue.reclaimStale(requestID: "evaluation-reclaim-\(UUID().uuidString.lowercased())")
                if moved > 0 {
                    logger.warning("evaluations queued again after their worker stopped", metadata: ["count": .stringConvertible(moved)])
                }
            } catch {
                logger.warning("cannot look for stale evaluations", metadata: ["error": .string("\(error)")])
            }
        } while await Pause.next(.seconds(60))
    }
}
