/// A libpq failure, with the SQLSTATE when the server sent one (`23505` for a unique violation).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        public let rawValue: String
        public static let connection = Code(rawValue: "connection")
        public static let query = Code(rawValue: "query")
    }

    public var code: Code
    public var sqlState: String?
    public var message: String

    public var description: String {
        sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message
    }
}
