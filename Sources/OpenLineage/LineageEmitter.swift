import Blocking
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
/// sink, the shape `Notifier` uses: a bounded queue per sink (newest kept), delivery on threads
/// of its own, retries by `RetryPolicy` (1 s, 2 s, 4 s ... with jitter) for network errors, 408,
/// 429 and 5xx, every given-up event logged with the sink's secrets masked.
///
/// Delivery is at most once across a restart: queued events are in memory (the cursor has
/// moved past them). On graceful shutdown what is queued is tried once more, without retries.
public final class LineageEmitter: Service {
    /// One sink and its queue.
    struct Lane: Sendable {
        let sink: any LineageSink
        let stream: AsyncStream<[UInt8]>
        let continuation: AsyncStream<[UInt8]>.Continuation
    }

    /// Events waiting per sink beyond this are dropped, oldest first, with a warning.
    public static let queueLimit = 4096
    /// Audit events read per pass.
    static let batch = 500

    let pool: ConnectionPool
    let mapper: EventMapper
    let lanes: [Lane]
    let retry: RetryPolicy
    let interval: Duration
    let logger: Logger
    let io = BlockingQueue(concurrentLabel: "datapilot.openlineage")
    let stopping = Mutex(false)

    public init(
        pool: ConnectionPool, sinks: [any LineageSink], namespace: String, publicURL: String, attempts: Int = RetryPolicy.standard.attempts,
        interval: Duration = .milliseconds(500), logger: Logger
    ) {
        self.pool = pool
        mapper = EventMapper(namespace: namespace, publicURL: publicURL)
        lanes = sinks.map { sink in
            let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingNewest(Self.queueLimit))
            return Lane(sink: sink, stream: stream, continuation: continuation)
        }
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
        await withDiscardingTaskGroup { group in
            for lane in lanes { group.addTask { await self.drain(lane) } }
            await feed()
            stopping.withLock { $0 = true }
            for lane in lanes { lane.continuation.finish() }
        }
    }

    /// Reads the audit chain until shutdown: a full batch goes on at once, otherwise it waits `interval`.
    func feed() async {
        var lastProblem = ""
        repeat {
            do {
                while !Pause.stopping {
                    let mapper = self.mapper
                    let pass = try await pool.withTransaction { connection -> (count: Int, events: [RunEvent])? in
                        guard let entries = try AuditFeed.next(limit: Self.batch, on: connection) else { return nil }
                        return (entries.count, try entries.flatMap { try mapper.events(for: $0, on: connection) })
                    }
                    guard let pass else { break }
                    for event in pass.events { enqueue(event) }
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

    func enqueue(_ event: RunEvent) {
        let body = Array(event.json.jsonString().utf8)
        for lane in lanes {
            if case .dropped = lane.continuation.yield(body) {
                logger.warning("OpenLineage queue full; the oldest event was dropped", metadata: ["sink": .string(lane.sink.label)])
            }
        }
    }

    var isStopping: Bool { stopping.withLock { $0 } }

    func drain(_ lane: Lane) async {
        for await body in lane.stream { await deliver(body, to: lane.sink) }
    }

    /// Tries until delivered, refused for good or out of attempts.
    func deliver(_ body: [UInt8], to sink: any LineageSink) async {
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Result<Void, SinkFailure> = await io.run { Result { () throws(SinkFailure) in try sink.deliver(body) } }
            guard case .failure(let failure) = outcome else {
                if attempt > 1 {
                    logger.info("OpenLineage event delivered", metadata: ["sink": .string(sink.label), "attempts": "\(attempt)"])
                }
                return
            }
            let masked = Redact.secrets(sink.secrets, in: failure.message)
            if !failure.retryable || attempt >= retry.attempts || isStopping {
                logger.warning(
                    "OpenLineage event not delivered",
                    metadata: ["sink": .string(sink.label), "attempts": "\(attempt)", "error": .string(masked)])
                return
            }
            logger.debug("OpenLineage delivery failed; retrying", metadata: ["sink": .string(sink.label), "error": .string(masked)])
            await pause(retry.delay(after: attempt))
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
