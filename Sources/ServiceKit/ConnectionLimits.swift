import HummingbirdCore
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How long a client may take and how many may be connected at once (see ConnectionGuard).
public struct ConnectionLimits: Sendable {
    public var headerTimeout: TimeAmount
    public var idleTimeout: TimeAmount
    public var bodyTimeout: TimeAmount
    public var maxConnections: Int
    /// After an early answer (or a 503), how much more of the request is read and dropped, and
    /// for how long, so the client reads the answer instead of a connection reset.
    public var lingerBytes = 1 << 20
    public var lingerTime = TimeAmount.seconds(2)

    public init(headerTimeout: TimeAmount, idleTimeout: TimeAmount, bodyTimeout: TimeAmount, maxConnections: Int) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }

    /// The defaults: a request head within 10 s, 60 s idle between requests, 30 s of a stalled
    /// body, 4096 connections.
    public static let standard = ConnectionLimits(
        headerTimeout: .seconds(10), idleTimeout: .seconds(60), bodyTimeout: .seconds(30),
        maxConnections: 4096)

    /// The HTTP/1.1 server with these limits, for `Application(server:)`.
    public func server(logger: Logger) -> HTTPServerBuilder {
        let counter = ConnectionCounter(limit: maxConnections)
        let limits = self
        return .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [ConnectionGuard(limits: limits, counter: counter, logger: logger)]))
    }

    /// Raises the soft open-file limit to the hard one and lowers `maxConnections` to what the
    /// limit leaves room for: each connection may hold a second descriptor (a spool file, an
    /// upstream connection), and 256 are kept for the database pool, logs and runs.
    public mutating func fitOpenFileLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            let before = limit.rlim_cur
            limit.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 { limit.rlim_cur = before }
        }
        let room = max(16, (Int(clamping: limit.rlim_cur) - 256) / 2)
        if maxConnections > room {
            logger.warning(
                "lowering max-client-connections to what the open-file limit allows",
                metadata: [
                    "max_client_connections": .stringConvertible(room), "configured": .stringConvertible(maxConnections),
                    "open_file_limit": .stringConvertible(limit.rlim_cur),
                ])
            maxConnections = room
        }
    }
}

/// The client connections admitted, shared by every connection's guard.
final class ConnectionCounter: Sendable {
    let limit: Int
    private let live = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a slot if one is free.
    func admit() -> Bool {
        var current = live.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = live.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { live.subtract(1, ordering: .relaxed) }
}
