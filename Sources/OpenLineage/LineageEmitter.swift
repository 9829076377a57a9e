import Foundation
import Logging
import Notifications
import Postgres
import Redaction
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Emits OpenLineage events off the write path. A write only appends its audit event (as it
/// always did); this service reads the sealed audit chain after its cursor (`AuditFeed`), makes
/// run events of run state changes, evaluations and syncs (`EventMapper`) and queues them per
/// sink in Postgres (`Outbox`) in the same transaction that moves the cursor. Each sink is then
/// delivered to on a thread of its own, oldest first, with retries by `RetryPolicy` (1 s, 2 s,
/// 4 s ... with jitter) for network errors, 408, 429 and 5xx, every given-up event logged with
/// the sink's secrets masked.
///
/// Delivery is at least once: an event leaves the outbox only once delivered or given up on, so
/// a restart, a crash or a collector that is down for a while loses nothing (a collector may see
/// an event twice if the process ends between its answer and the delete). A sink gets its events
/// in order. At most `queueLimit` wait per sink; beyond it the oldest are dropped with a warning.
public final class LineageEmitter: Service {
    /// Events waiting per sink beyond this are dropped, oldest first, with a warning.
    public static let queueLimit = 4096
    /// Audit events read per pass.
    static let batch = 500
    /// Events delivered per pass (and transaction).
    static let deliveries = 20

    let pool: ConnectionPool
    let mapper: EventMapper
    let sinks: [any LineageSink]
    let retry: RetryPolicy
    let interval: Duration
    let logger: Logger
    let stopping = Mutex(false)

    public init(
        pool: ConnectionPool, sinks: [any LineageSink], namespace: String, publicURL: String, attempts: Int = RetryPolicy.standard.attempts,
        interval: Duration = .milliseconds(500), logger: Logger
    ) {
        self.pool = pool
        mapper = EventMapper(namespace: namespace, publicURL: publicURL)
        self.sinks = sinks
        retry = RetryPolicy(attempts: attempts, base: RetryPolicy.standard.base, cap: RetryPolicy.standard.cap)
        self.interval = interval
        self.logger = logger
    }

    /// The sinks `settings` configure (none when OpenLineage is off).
    public static func sinks(_ settings: OpenLineageSettings) throws -> [any LineageSink] {
        var sinks: [any LineageSink] = []
        if let url = settings.url { sinks.append(HTTPSink(url: url, apiKey: try settings.resolvedAPIKey())) }
        if let file = settings.file { sinks.append(FileSink(path: file)) }
        return sinks
    }

    public func run() async {
        let labels = sinks.map(\.label)
        do {
            let forgotten = try await pool.withTransaction { try Outbox.forgetSinks(except: labels, on: $0) }
            if forgotten > 0 {
                logger.warning(
                    "OpenLineage events for sinks no longer configured were removed", metadata: ["events": .stringConvertible(forgotten)])
            }
        } catch {
            logger.error("the OpenLineage outbox was not read", metadata: ["reason": .string("\(error)")])
        }
        await withDiscardingTaskGroup { group in
            for sink in sinks { group.addTask { await self.drain(sink) } }
            await feed()
            stopping.withLock { $0 = true }
        }
    }

    /// Reads the audit chain until shutdown: a full batch goes on at once, otherwise it waits `interval`.
    func feed() async {
        var lastProblem = ""
        let labels = sinks.map(\.label)
        repeat {
            do {
                while !Pause.stopping {
                    let mapper = self.mapper
                    let pass = try await pool.withTransaction { connection -> (count: Int, dropped: Int)? in
                        guard let entries = try AuditFeed.next(limit: Self.batch, on: connection) else { return nil }
                        let events = try entries.flatMap { try mapper.events(for: $0, on: connection) }
                        let bodies = events.map { $0.json.jsonString() }
                        return (entries.count, try Outbox.enqueue(bodies, sinks: labels, limit: Self.queueLimit, on: connection))
                    }
                    guard let pass else { break }
                    if pass.dropped > 0 {
                        logger.warning("OpenLineage queue full; the oldest events were dropped", metadata: ["events": "\(pass.dropped)"])
                    }
                    if pass.count < Self.batch { break }
                }
                lastProblem = ""
            } catch {
                if "\(error)" != lastProblem {
                    logger.error("OpenLineage events were not read", metadata: ["reason": .string("\(error)")])
                    lastProblem = "\(error)"
                }
            }
        } while await Pause.next(interval)
    }

    var isStopping: Bool { stopping.withLock { $0 } }

    /// Delivers `sink`'s waiting events until shutdown, a pass at a time.
    func drain(_ sink: any LineageSink) async {
        var lastProblem = ""
        while !isStopping {
            let pass: Outbox.Pass
            do {
                let (retry, logger) = (self.retry, self.logger)
                pass = try await pool.withTransaction { connection in
                    try Outbox.deliver(
                        to: sink, retry: retry, batch: Self.deliveries, stopping: { self.isStopping }, logger: logger, on: connection)
                }
                lastProblem = ""
            } catch {
                if "\(error)" != lastProblem {
                    logger.error(
                        "OpenLineage events were not delivered", metadata: ["sink": .string(sink.label), "reason": .string("\(error)")])
                    lastProblem = "\(error)"
                }
                pass = .idle
            }
            switch pass {
            case .more: continue
            case .idle: await pause(Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
            case .waiting(let seconds): await pause(seconds)
            }
        }
    }

    /// Waits `seconds`, cut short by shutdown.
    func pause(_ seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !isStopping, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
        }
    }

}
