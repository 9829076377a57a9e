import HTTPTypes
import Logging
import Manifests
import Metrics
import NIOCore
import NIOHTTPTypes

/// Watches one client connection, right after HTTP parsing, and closes it when the client is the
/// slow side: a request head not complete within `headerTimeout` of the connection (or of its
/// first byte, on a kept-alive connection), no next request within `idleTimeout`, a body that
/// makes no progress for `bodyTimeout` while the server is asking for it, an answer the client
/// takes none of for `bodyTimeout` (slow read). While the server itself
/// is busy (handling a request, or not reading because it is still writing what it has) no clock runs.
///
/// A connection beyond the cap is answered 503 with Retry-After and closed; an answer given before
/// the request's body was read (401, 413, ...) ends the connection, after reading and dropping at
/// most a little of the rest so the client sees the answer rather than a reset.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limits: ConnectionLimits
    let counter: ConnectionCounter
    let logger: Logger

    private var context: ChannelHandlerContext?
    private var refused = false
    /// Requests whose head was read and whose answer is not finished yet.
    private var outstanding = 0
    /// The last request's body has been read to its end (true between requests).
    private var requestRead = true
    private var firstRequest = true
    /// Between requests: when the next head must be complete by.
    private var headDeadline = NIODeadline.distantFuture
    private var headStarted = false
    /// After an early answer: when the connection closes, and the bytes read until then.
    private var lingerDeadline: NIODeadline?
    private var lingerStart = 0
    private var answeredEarly = false
    /// While lingering: the answer is out (the sending side closed) / the client sent its request's end.
    private var answerSent = false
    private var requestEnded = false
    // From the socket: bytes so far, and since when the server has been waiting for more.
    private var bytesReceived = 0
    private var waitingSince: NIODeadline?
    /// Since when the client has taken none of the answer (the socket's send buffer stayed full).
    private var writeStalledSince: NIODeadline?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(limits: ConnectionLimits, counter: ConnectionCounter, logger: Logger) {
        self.limits = limits
        self.counter = counter
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if counter.admit() {
            let counter = self.counter
            context.channel.closeFuture.whenComplete { _ in counter.release() }
            headDeadline = .now() + limits.headerTimeout
        } else {
            refused = true
            headDeadline = .now() + min(limits.headerTimeout, .seconds(2))
        }
        do {
            // Downloads from the file store are sent by the kernel, below the HTTP encoder.
            try context.pipeline.syncOperations.addHandler(FileRegionSender(), position: .first)
            try context.pipeline.syncOperations.addHandler(SocketWatch(owner: self), position: .first)
        } catch {
            context.close(promise: nil)
        }
        schedule()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    // MARK: requests in, answers out

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if lingerDeadline != nil {
            // The request was answered already; its body is dropped, and its end (once the answer
            // is out) ends the connection.
            if case .end = part {
                requestEnded = true
                if answerSent { context.close(promise: nil) }
            }
            return
        }
        if refused {
            if case .head = part { refuse(context) }
            return
        }
        switch part {
        case .head:
            outstanding += 1
            requestRead = false
            firstRequest = false
            headStarted = false
        case .body:
            break
        case .end:
            requestRead = true
        }
        context.fireChannelRead(data)
        schedule()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where !requestRead && outstanding == 1:
            // Answered before the body was read: the connection ends with this answer.
            answeredEarly = true
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .head, .body:
            context.write(data, promise: promise)
        case .end:
            outstanding = max(0, outstanding - 1)
            if answeredEarly {
                context.writeAndFlush(data, promise: promise)
                linger(context)
                return
            }
            context.write(data, promise: promise)
            if outstanding == 0, requestRead {
                headDeadline = .now() + limits.idleTimeout
                headStarted = false
            }
            schedule()
        }
    }

    /// 503 to a connection beyond the cap.
    private func refuse(_ context: ChannelHandlerContext) {
        let problem: JSONValue = [
            "type": "https://datapilot.io/problems/503", "title": "Too many connections", "status": 503,
            "detail": .string("the server already holds its maximum of \(counter.limit) client connections; retry after a few seconds"),
        ]
        let body = ByteBuffer(string: problem.jsonString(pretty: false))
        let fields: HTTPFields = [
            .contentType: "application/problem+json", .retryAfter: "5", .connection: "close", .contentLength: String(body.readableBytes),
        ]
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .serviceUnavailable, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        logger.debug("refused a connection over the cap", metadata: ["max_client_connections": .stringConvertible(counter.limit)])
        Counter(label: "datapilot_http_connections_refused_total").increment()
        linger(context)
    }

    /// Closes the sending side at once (after what is queued) and the whole connection when the
    /// client has sent its request's end, `lingerBytes` more, or `lingerTime` has passed.
    private func linger(_ context: ChannelHandlerContext) {
        let sent = context.eventLoop.makePromise(of: Void.self)
        sent.futureResult.assumeIsolated().whenComplete { [self] _ in
            answerSent = true
            if requestEnded { self.context?.close(promise: nil) }
        }
        context.close(mode: .output, promise: sent)
        lingerDeadline = .now() + limits.lingerTime
        lingerStart = bytesReceived
        schedule()
    }

    // MARK: from the socket

    func bytesArrived(_ count: Int) {
        bytesReceived += count
        waitingSince = nil
        if lingerDeadline != nil, bytesReceived - lingerStart > limits.lingerBytes {
            context?.close(promise: nil)
        } else if outstanding == 0, requestRead, !firstRequest, !headStarted {
            // The next request on a kept-alive connection has begun: its head gets headerTimeout.
            headStarted = true
            headDeadline = min(headDeadline, .now() + limits.headerTimeout)
            schedule()
        }
    }

    /// The socket's send buffer filled (the client reads nothing) or drained again.
    func writabilityChanged(_ writable: Bool) {
        writeStalledSince = writable ? nil : .now()
        if !writable { schedule() }
    }

    func readRequested() {
        guard waitingSince == nil else { return }
        waitingSince = .now()
        if !requestRead { schedule() }
    }

    // MARK: the clock

    /// When the client must have made progress by; nil while the server is the busy side.
    private var deadline: NIODeadline? {
        if let lingerDeadline { return lingerDeadline }
        // A client that takes none of its answer for bodyTimeout holds a slot for nothing (slow read).
        if let writeStalledSince { return writeStalledSince + limits.bodyTimeout }
        if refused { return headDeadline }
        if !requestRead { return waitingSince.map { $0 + limits.bodyTimeout } }
        if outstanding > 0 { return nil }
        return headDeadline
    }

    /// Makes sure a check runs by the deadline; a later deadline is found by the check itself.
    private func schedule() {
        guard let context, let deadline else { return }
        if let timerDeadline, timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerDeadline = nil
            check()
        }
    }

    private func check() {
        guard let context, let deadline else { return }
        guard deadline <= .now() else { return schedule() }
        let reason =
            lingerDeadline != nil
            ? "answered_early"
            : writeStalledSince != nil
                ? "answer_unread"
                : refused
                    ? "over_cap"
                    : !requestRead
                        ? "body_stalled"
                        : firstRequest || headStarted ? "head_too_slow" : "idle"
        logger.debug("closing a client connection", metadata: ["reason": .string(reason)])
        Counter(label: "datapilot_http_connections_closed_total", dimensions: [("reason", reason)]).increment()
        context.close(promise: nil)
    }
}

/// First in the pipeline: tells the guard when bytes arrive and when the server asks for more.
final class SocketWatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    let owner: ConnectionGuard

    init(owner: ConnectionGuard) { self.owner = owner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner.bytesArrived(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        owner.readRequested()
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        owner.writabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }
}
