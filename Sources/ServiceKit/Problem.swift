import APIModel
import Foundation
import HTTPTypes
import Hummingbird
import Manifests

/// An RFC 9457 problem: every error the API returns, as `application/problem+json`, carrying
/// the request id so a user can quote it and an operator can find the log line.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    /// For invalid bodies: every problem found, with where it is.
    public var errors: [ProblemDetails.ValidationError]?
    /// Extra members a route documents (`referrers`, `index`).
    public var extensions: [JSONMember]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, title: String, detail: String, errors: [ProblemDetails.ValidationError]? = nil,
        extensions: [JSONMember] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.extensions = extensions
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        // Hummingbird renders errors with the context as it was before the middleware ran, so
        // the caller's own X-Request-ID is taken from the request again.
        let requestID =
            request.headers[.requestID].flatMap { RequestIDMiddleware.isSane($0) ? $0 : nil }
            ?? (context as? APIRequestContext)?.requestID
        let details = ProblemDetails(
            status: Int(status.code), title: title, detail: detail, instance: request.uri.path, requestID: requestID,
            errors: errors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // A struct of strings and numbers always encodes.
        var members =
            (try? encoder.encode(details)).flatMap { data -> [JSONMember]? in
                guard case .success(let value) = JSONText.parse(Array(data)) else { return nil }
                return value.objectValue
            } ?? []
        members += extensions
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized, headers[.wwwAuthenticate] == nil { headers[.wwwAuthenticate] = "Bearer realm=\"datapilot\"" }
        if let requestID { headers[.requestID] = requestID }
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: JSONValue.object(members).jsonString(pretty: false).utf8)))
    }

    /// A 422 listing every problem in a request body, with line, column and field path.
    public static func invalid(_ invalid: InvalidObject) -> Problem {
        let errors = invalid.diagnostics.map { d in
            ProblemDetails.ValidationError(path: d.path, line: d.line, column: d.column, code: d.code.rawValue, message: d.message)
        }
        let first = invalid.diagnostics.first.map { ($0.path.isEmpty ? "" : $0.path + ": ") + $0.message } ?? "invalid body"
        return Problem(
            .unprocessableContent, title: "Invalid object",
            detail: invalid.diagnostics.count == 1 ? first : "\(first) (and \(invalid.diagnostics.count - 1) more)",
            errors: errors)
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(.notFound, title: "Not found", detail: "\(what) does not exist")
    }
}

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-ID")!
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
