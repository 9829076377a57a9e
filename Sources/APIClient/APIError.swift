import APIModel
import Foundation
import Manifests

/// A failed API call: what kind of failure, the HTTP status and problem document when the
/// server answered, and a message that says what to do.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }
        public static let unreachable = Code(raw: "unreachable")
        public static let unauthorized = Code(raw: "unauthorized")
        public static let forbidden = Code(raw: "forbidden")
        public static let notFound = Code(raw: "notFound")
        public static let conflict = Code(raw: "conflict")
        public static let preconditionFailed = Code(raw: "preconditionFailed")
        public static let invalid = Code(raw: "invalid")
        public static let server = Code(raw: "server")
        public static let other = Code(raw: "other")
    }

    public var code: Code
    public var status: Int?
    /// The RFC 9457 problem the server sent, if any.
    public var problem: ProblemDetails?
    public var message: String
    /// The body the server answered with (a problem's extensions, such as a refused batch's `results`).
    public var body: [UInt8] = []

    public var description: String { message }

    public init(code: Code, status: Int?, problem: ProblemDetails?, message: String) {
        self.code = code
        self.status = status
        self.problem = problem
        self.message = message
    }

    public var requestID: String? { problem?.requestID }

    static func from(status: Int, body: [UInt8], method: String, path: String) -> APIError {
        let problem = try? JSONDecoder().decode(ProblemDetails.self, from: Data(body))
        let code: Code =
            switch status {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 412: .preconditionFailed
            case 400, 413, 415, 416, 422: .invalid
            case 500...: .server
            default: .other
            }
        var message = problem?.detail ?? String(decoding: body.prefix(500), as: UTF8.self)
        if message.isEmpty { message = "HTTP \(status)" }
        message = "\(method) \(path): \(message)"
        if code == .unauthorized { message += " (check the token: dpctl config get-contexts, or DATAPILOT_TOKEN)" }
        if let id = problem?.requestID, code == .server { message += " [request id \(id)]" }
        var error = APIError(code: code, status: status, problem: problem, message: message)
        error.body = body
        return error
    }
}
