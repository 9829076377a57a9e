/// An RFC 9457 problem as the API sends it (`application/problem+json`) and clients read it:
/// every error carries the request id so a user can quote it and an operator find the log line.
public struct ProblemDetails: Codable, Sendable, Hashable {
    /// `https://datapilot.io/problems/<status>`.
    public var type: String
    public var title: String
    public var status: Int
    /// What went wrong and what to do about it.
    public var detail: String
    /// The request's path.
    public var instance: String
    public var requestID: String?
    /// For invalid bodies: every problem found, with where it is.
    public var errors: [ValidationError]?

    /// One problem in a request body.
    public struct ValidationError: Codable, Sendable, Hashable {
        /// Field path inside the body, e.g. `spec.schema.columns[2].type`; empty for the body itself.
        public var path: String
        public var line: Int
        public var column: Int
        /// A stable code such as `invalidValue` or `missingField`.
        public var code: String
        public var message: String

        public init(path: String, line: Int = 0, column: Int = 0, code: String, message: String) {
            self.path = path
            self.line = line
            self.column = column
            self.code = code
            self.message = message
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, instance, errors
        case requestID = "request_id"
    }

    public init(status: Int, title: String, detail: String, instance: String, requestID: String?, errors: [ValidationError]? = nil) {
        type = "https://datapilot.io/problems/\(status)"
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.requestID = requestID
        self.errors = errors
    }
}
