import Foundation
import Postgres
import ServiceKit
import ServiceLifecycle

/// Runs with `spec.execute: true` whose inputs are still being evaluated wait QUEUED: a sync
/// that adds a version and a run reading it applies both at once, and the run starts when
/// the version is admitted. Every `interval` each waiting run is started once all of its
/// inputs are usable, or marked FAILED (naming the version and why) once one is quarantined.
struct HeldRuns: Service {
    let executors: Executors
    var interval: Duration = .seconds(1)

    /// What to do with a run that executes on creation, now.
    enum Decision: Equatable {
        case start
        case wait
        case fail(String)
    }

    static func decide(_ run: String, on connection: Connection) throws -> Decision {
        guard let record = try RunRecord.load(run, on: connection), record.state == .queued, record.executor == nil else { return .wait }
        let inputs = try RunInputs.resolve(record.spec, on: connection)
        if RunInputs.allowsUnadmitted(record.spec) { return .start }
        if inputs.contains(where: { $0.admission == .quarantined }) {
            return .fail(RunInputs.refusal(run, inputs.filter { $0.admission == .quarantined }).detail)
        }
        return inputs.contains(where: { $0.admission.settling }) ? .wait : .start
    }

    func run() async {
        repeat {
            do {
                let waiting = try await executors.pool.withConnection { connection in
                    try connection.query(
                        """
                        select name from runs where state = 'QUEUED' and executor is null and spec->>'execute' = 'true'
                          and not cancel_requested order by created_at limit 100
                        """
                    ).map { $0["name"]! }
                }
                for run in waiting where !Pause.stopping { await executors.startWhenAdmitted(run, requestID: "held-run-\(run)") }
            } catch {
                executors.logger.warning("cannot look for runs waiting on admission", metadata: ["error": .string("\(error)")])
            }
        } while await Pause.next(interval)
    }
}

extension Executors {
    /// Starts a run that executes on creation if its inputs allow it now, fails it if they
    /// never will, or leaves it waiting. Another replica starting it first is not an error.
    func startWhenAdmitted(_ run: String, requestID: String) async {
        let decision: HeldRuns.Decision
        do {
            decision = try await pool.withConnection { try HeldRuns.decide(run, on: $0) }
        } catch {
            logger.warning("cannot judge a run's inputs", metadata: ["run": .string(run), "error": .string("\(error)")])
            return
        }
        switch decision {
        case .wait: return
        case .fail(let reason): await failToStart(run, reason: reason, requestID: requestID)
        case .start:
            do {
                let kind = try ExecutionPolicy.choose(nil, enabled: settings.enabled)
                _ = try await execute(run, kind: kind, actor: "executor:\(kind.rawValue)", requestID: requestID)
            } catch let problem as Problem where problem.title == "Run already started" {
                return
            } catch {
                // The run stays visible as FAILED with the reason rather than QUEUED forever.
                await failToStart(run, reason: "spec.execute is true but the run cannot start: \(error)", requestID: requestID)
            }
        }
    }
}
