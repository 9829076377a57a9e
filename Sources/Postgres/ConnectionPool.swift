import Blocking
import Synchronization

/// A bounded pool of libpq connections. Each connection lives on a serial queue of its own, so
/// its blocking calls never run on the async cooperative pool, and is lent to one caller at a
/// time. Callers wait (suspended, not blocked) when all connections are busy.
public final class ConnectionPool: Sendable {
    public let conninfo: String
    public let maxConnections: Int
    let state = Mutex(State())

    struct State: ~Copyable {
        var idle: [Slot] = []
        var opened = 0
        var waiters: [CheckedContinuation<Slot?, Never>] = []
        var closed = false
    }

    /// A connection and the queue it is confined to. `connection` is touched only on `queue`.
    final class Slot: @unchecked Sendable {
        let queue: BlockingQueue
        var connection: Connection?
        /// When the connection was last lent; one idle longer than `probeAfter` is probed first.
        var lastUsed = ContinuousClock.now

        init(number: Int) { queue = BlockingQueue(label: "datapilot.postgres.\(number)") }
    }

    /// How long a connection may sit idle before it is probed on its next loan.
    static let probeAfter: Duration = .milliseconds(250)

    public init(conninfo: String, maxConnections: Int = 10) {
        self.conninfo = conninfo
        self.maxConnections = max(1, maxConnections)
    }

    /// Lends a connection to `body`, run on that connection's own thread.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await lend(start: nil, body)
    }

    /// Lends a connection; `start` (a transaction's `begin`) is sent first, and when it fails
    /// because the idle connection broke meanwhile (Postgres restarted, a proxy dropped it),
    /// once more on a new connection: nothing had been done on the broken one.
    public func lend<T: Sendable>(
        start: (@Sendable (Connection) throws -> Void)?, _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        let slot = try await acquire()
        let conninfo = self.conninfo
        do {
            let result = try await slot.queue.run { () throws -> T in
                // A connection that sat idle may have died unnoticed (Postgres restarted): an
                // empty statement tells, and a dead one is replaced before the caller's first.
                if let idle = slot.connection, ContinuousClock.now - slot.lastUsed > Self.probeAfter,
                    (try? idle.execute(script: "")) == nil || !idle.isHealthy
                {
                    slot.connection = nil
                }
                slot.lastUsed = ContinuousClock.now
                if slot.connection == nil || slot.connection?.isHealthy == false {
                    slot.connection = try Connection.connect(conninfo)
                }
                if let start {
                    do {
                        try start(slot.connection!)
                    } catch  where slot.connection?.isHealthy != true {
                        slot.connection = try Connection.connect(conninfo)
                        try start(slot.connection!)
                    }
                }
                return try body(slot.connection!)
            }
            release(slot)
            return result
        } catch {
            // A broken connection is dropped; a query error leaves a healthy one for reuse.
            let broken = await slot.queue.run({ slot.connection?.isHealthy != true })
            if broken { await slot.queue.run { slot.connection = nil } }
            release(slot)
            // A statement that failed because the connection broke is a connection failure.
            if broken, let failure = error as? PostgresError, failure.code == .query {
                throw PostgresError(code: .connection, sqlState: failure.sqlState, message: failure.message)
            }
            throw error
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await lend(start: { try $0.query("begin") }) { connection in
            do {
                let result = try body(connection)
                try connection.query("commit")
                return result
            } catch {
                _ = try? connection.query("rollback")
                throw error
            }
        }
    }

    /// Closes idle connections and refuses new work; waiting callers get an error.
    public func close() {
        let (idle, waiters) = state.withLock { state -> ([Slot], [CheckedContinuation<Slot?, Never>]) in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for slot in idle { Task { await slot.queue.run { slot.connection = nil } } }
    }

    func acquire() async throws -> Slot {
        enum Next {
            case slot(Slot)
            case wait, closed
        }
        let next: Next = state.withLock { state in
            if state.closed { return .closed }
            if let slot = state.idle.popLast() { return .slot(slot) }
            if state.opened < maxConnections {
                state.opened += 1
                return .slot(Slot(number: state.opened))
            }
            return .wait
        }
        switch next {
        case .slot(let slot): return slot
        case .closed: throw PostgresError(code: .connection, sqlState: nil, message: "the connection pool is closed")
        case .wait:
            let slot: Slot? = await withCheckedContinuation { continuation in
                let immediate: Slot?? = state.withLock { state in
                    if state.closed { return .some(nil) }
                    if let slot = state.idle.popLast() { return .some(slot) }
                    state.waiters.append(continuation)
                    return .none
                }
                if case .some(let slot) = immediate { continuation.resume(returning: slot) }
            }
            guard let slot else {
                throw PostgresError(code: .connection, sqlState: nil, message: "the connection pool is closed")
            }
            return slot
        }
    }

    func release(_ slot: Slot) {
        let waiter: CheckedContinuation<Slot?, Never>? = state.withLock { state in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(slot)
            return nil
        }
        waiter?.resume(returning: slot)
    }
}
