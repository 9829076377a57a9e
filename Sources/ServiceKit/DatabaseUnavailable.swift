import HTTPTypes
import Postgres

extension PostgresError {
    /// The database cannot be reached right now (down, restarting, refusing connections, the
    /// connection broke), as opposed to a statement it refused.
    public var isUnavailable: Bool {
        guard code != .connection else { return true }
        guard let sqlState else { return false }
        // 08: connection exception; 57P01-57P03: shutting down, crashed, not yet accepting.
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }
}

extension Problem {
    /// What every route answers while the database is unavailable: 503 with Retry-After, and
    /// nothing about where the database is (that goes to the log).
    public static let databaseUnavailable = Problem(
        .serviceUnavailable, title: "Service unavailable",
        detail: "the database does not answer right now; retry in a few seconds (the server's log says why)",
        headers: [.retryAfter: "5"])
}
