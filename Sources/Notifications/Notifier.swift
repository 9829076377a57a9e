import Blocking
import Curl
import Foundation
import Logging
import Redaction
import ServiceLifecycle
import Synchronization

/// Delivers events off the sync path: `notify` only queues (a bounded queue per source and
/// target, so one slow or dead target delays nobody else and each target sees a source's events
/// in order: `pending` before `success`). `run` (a `Service`) sends, retries by `RetryPolicy`
/// and writes every attempt to the `DeliveryLog`, with the targets' secrets masked.
///
/// On graceful shutdown (or `finish`) queued events are still sent, but a failed one is not
/// retried any more: the log says `failed` with the last error.
public final class Notifier: NotificationSink, Service {
    /// One target of one source and its queue.
    struct Lane: Sendable {
        let source: String
        let target: any NotificationTarget
        let stream: AsyncStream<NotificationEvent>
        let continuation: AsyncStream<NotificationEvent>.Continuation
    }

    /// Events waiting per target beyond this are dropped, oldest first, with a warning.
    public static let queueLimit = 256

    let lanes: [Lane]
    let log: any DeliveryLog
    let retry: RetryPolicy
    let logger: Logger
    let transfers = TransferPool(capacity: 4)
    let io = BlockingQueue(concurrentLabel: "datapilot.notifications")
    let stopping = Mutex(false)
    /// Finished by `finish`: `run` lasts until then even without targets (a service that
    /// returned early would end the reconciler's service group).
    let finished = AsyncStream.makeStream(of: Void.self)

    /// `targets`: each source's targets, by source name.
    public init(targets: [String: [any NotificationTarget]], log: any DeliveryLog, retry: RetryPolicy = .standard, logger: Logger) {
        lanes = targets.sorted { $0.key < $1.key }.flatMap { source, targets in
            targets.map { target in
                let (stream, continuation) = AsyncStream.makeStream(
                    of: NotificationEvent.self, bufferingPolicy: .bufferingNewest(Self.queueLimit))
                return Lane(source: source, target: target, stream: stream, continuation: continuation)
            }
        }
        self.log = log
        self.retry = retry
        self.logger = logger
    }

    public var isEmpty: Bool { lanes.isEmpty }

    public func notify(_ event: NotificationEvent) {
        for lane in lanes where lane.source == event.source && lane.target.events.contains(event.kind) {
            if case .dropped = lane.continuation.yield(event) {
                logger.warning(
                    "notification queue full; the oldest event was dropped",
                    metadata: ["source": .string(event.source), "target": .string(lane.target.label)])
            }
        }
    }

    public func run() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for lane in lanes { group.addTask { await self.drain(lane) } }
                group.addTask { for await _ in self.finished.stream {} }
            }
        } onGracefulShutdown: {
            self.finish()
        }
    }

    /// No more events: what is queued is sent once more at most, then `run` returns.
    public func finish() {
        stopping.withLock { $0 = true }
        for lane in lanes { lane.continuation.finish() }
        finished.continuation.finish()
    }

    var isStopping: Bool { stopping.withLock { $0 } }

    func drain(_ lane: Lane) async {
        for await event in lane.stream { await deliver(event, to: lane.target) }
    }

    /// Tries until delivered, refused for good or out of attempts; every attempt is logged.
    func deliver(_ event: NotificationEvent, to target: any NotificationTarget) async {
        let row: Int64?
        do { row = try await log.begin(event, target: target.label) } catch {
            logger.warning("cannot record a notification delivery: \(error)")
            row = nil
        }
        var attempt = 0
        while true {
            attempt += 1
            let request = target.request(for: event, now: Date())
            let outcome: Result<HTTPResponse, CurlError> = await io.run { [transfers] in
                transfers.with { transfer in Result { () throws(CurlError) in try transfer.perform(request) } }
            }
            var status: Int?
            let error: String?
            let retryable: Bool
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                await record(row, attempt, "delivered", response.status, nil)
                logger.debug(
                    "notification delivered",
                    metadata: ["target": .string(target.label), "event": .string(event.kind.rawValue), "commit": .string(event.commit)])
                return
            case .success(let response):
                status = response.status
                let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                error = "HTTP \(response.status)" + (text.isEmpty ? "" : ": " + NotificationEvent.clip(text, 200))
                retryable = RetryPolicy.retryable(status: response.status)
            case .failure(let failure):
                error = failure.message
                retryable = true
            }
            let masked = Redact.secrets(target.secrets, in: error ?? "")
            let last = !retryable || attempt >= retry.attempts || isStopping
            await record(row, attempt, last ? "failed" : "retrying", status, masked)
            if last {
                logger.warning(
                    "notification not delivered",
                    metadata: [
                        "target": .string(target.label), "event": .string(event.kind.rawValue), "commit": .string(event.commit),
                        "attempts": .string("\(attempt)"), "error": .string(masked),
                    ])
                return
            }
            await pause(retry.delay(after: attempt))
        }
    }

    func record(_ row: Int64?, _ attempts: Int, _ state: String, _ status: Int?, _ error: String?) async {
        guard let row else { return }
        do { try await log.attempted(row, attempts: attempts, state: state, status: status, error: error) } catch {
            logger.warning("cannot record a notification attempt: \(error)")
        }
    }

    /// Waits `seconds`, cut short by `finish` (checked four times a second).
    func pause(_ seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !isStopping, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(250), deadline - ContinuousClock.now))
        }
    }

}
