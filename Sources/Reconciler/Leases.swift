import Blocking
import Postgres

/// Which sources this replica holds: a session-level Postgres advisory lock per source on one
/// connection of its own. When the replica dies its connection goes and every lock with it,
/// so another replica's next attempt takes the source over.
public final class Leases: @unchecked Sendable {
    // `connection` is touched only on `queue`, one call at a time.
    private var connection: Connection?
    private let conninfo: String
    private let queue = BlockingQueue(label: "datapilot.reconciler.leases")

    public init(conninfo: String) { self.conninfo = conninfo }

    static func key(_ source: String) -> [String?] { ["datapilot.source", source] }

    /// Tries to take the source; true when this replica holds it (now or already).
    public func tryAcquire(_ source: String) async -> Bool {
        await queue.run { [self] in
            do {
                let connection = try self.open()
                let row = try connection.query("select pg_try_advisory_lock(hashtext($1), hashtext($2)) as held", Self.key(source))
                return row.first?["held"] == "t"
            } catch {
                self.connection = nil
                return false
            }
        }
    }

    public func release(_ source: String) async {
        await queue.run { [self] in
            _ = try? self.connection?.query("select pg_advisory_unlock(hashtext($1), hashtext($2))", Self.key(source))
        }
    }

    /// Whether the connection holding the locks is still alive; when it is not, every lease is
    /// lost (another replica may hold the sources now).
    public func alive() async -> Bool {
        await queue.run { [self] in
            guard let connection = self.connection else { return false }
            do {
                _ = try connection.query("select 1")
                return true
            } catch {
                self.connection = nil
                return false
            }
        }
    }

    /// Closes the connection: every lock is released at once.
    public func releaseAll() async {
        await queue.run { [self] in self.connection = nil }
    }

    private func open() throws -> Connection {
        if let connection, connection.isHealthy { return connection }
        let fresh = try Connection.connect(conninfo)
        connection = fresh
        return fresh
    }
}
