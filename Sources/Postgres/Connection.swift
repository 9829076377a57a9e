import CLibPQ
import Redaction

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq connection. Every call blocks: keep it off the async cooperative pool and use it
/// from one thread at a time. Queries are always parameterised (`$1`, `$2`, ...).
public final class Connection {
    let handle: OpaquePointer

    private init(handle: OpaquePointer) { self.handle = handle }

    deinit { PQfinish(handle) }

    /// Connects with a `postgres://` URL or `key=value` string; empty fields fall back to the
    /// usual PG* environment variables, as libpq does.
    public static func connect(_ conninfo: String) throws(PostgresError) -> Connection {
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(code: .connection, sqlState: nil, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            // libpq quotes pieces of a malformed string (a URL with its password) in its errors.
            let message = Redact.message(String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines, conninfo: conninfo)
            PQfinish(handle)
            throw PostgresError(code: .connection, sqlState: nil, message: "cannot connect to Postgres: \(message)")
        }
        // Notices (`relation ... already exists, skipping`) are not errors: keep them off stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return Connection(handle: handle)
    }

    /// Runs one statement with text parameters (nil is SQL NULL) and returns its rows as text.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> [Row] {
        let cStrings = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { cStrings.forEach { free($0) } }
        let result: OpaquePointer? = cStrings.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecParams(handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        guard let result else {
            throw PostgresError(code: .query, sqlState: nil, message: String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines
            throw PostgresError(code: .query, sqlState: sqlState, message: message)
        }
        let columnCount = PQnfields(result)
        let names = Columns((0..<columnCount).map { String(cString: PQfname(result, $0)) })
        var rows: [Row] = []
        rows.reserveCapacity(Int(PQntuples(result)))
        for row in 0..<PQntuples(result) {
            rows.append(
                Row(
                    columns: names,
                    values: (0..<columnCount).map { column in
                        PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                    }))
        }
        return rows
    }

    /// Runs a script of several statements without parameters (migrations).
    public func execute(script: String) throws(PostgresError) {
        guard let result = PQexec(handle, script) else {
            throw PostgresError(code: .query, sqlState: nil, message: String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY else {
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PostgresError(
                code: .query, sqlState: sqlState, message: String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines)
        }
    }

    /// False once the connection broke (server restart, network); the pool then replaces it.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.last == "\n" { s.removeLast() }
        return s
    }
}
