import HTTPTypes
import Hummingbird
import Manifests

/// An RFC 9457 problem: every error the API returns, as `application/problem+json`, carrying
/// the request id so a user can quote it and an operator can find the log line.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    /// Extra members (e.g. `errors` for validation failures).
    public var extensions: [JSONMember]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, title: String, detail: String, extensions: [JSONMember] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        // Hummingbird renders errors with the context as it was before the middleware ran, so
        // the caller's own X-Request-ID is taken from the request again.
        let requestID = request.headers[.requestID].flatMap { RequestIDMiddleware.isSane($0) ? $0 : nil }
            ?? (context as? APIRequestContext)?.requestID
        var members: [JSONMember] = [
            JSONMember("type", .string("https://datapilot.io/problems/\(status.code)")),
            JSONMember("title", .string(title)),
            JSONMember("status", .int(Int64(status.code))),
            JSONMember("detail", .string(detail)),
            JSONMember("instance", .string(request.uri.path)),
        ]
        if let requestID { members.append(JSONMember("request_id", .string(requestID))) }
        members += extensions
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized, headers[.wwwAuthenticate] == nil { headers[.wwwAuthenticate] = "Bearer realm=\"datapilot\"" }
        if let requestID { headers[.requestID] = requestID }
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: JSONValue.object(members).jsonString(pretty: false).utf8)))
    }

    /// A 422 listing every problem in a request body, with line, column and field path.
    public static func invalid(_ invalid: InvalidObject) -> Problem {
        let errors = invalid.diagnostics.map { d -> JSONValue in
            ["path": .string(d.path), "line": .int(Int64(d.line)), "column": .int(Int64(d.column)),
             "code": .string(d.code.rawValue), "message": .string(d.message)]
        }
        let first = invalid.diagnostics.first.map { ($0.path.isEmpty ? "" : $0.path + ": ") + $0.message } ?? "invalid body"
        return Problem(.unprocessableContent, title: "Invalid object",
                       detail: invalid.diagnostics.count == 1 ? first : "\(first) (and \(invalid.diagnostics.count - 1) more)",
                       extensions: [JSONMember("errors", .array(errors))])
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(.notFound, title: "Not found", detail: "\(what) does not exist")
    }
}

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-ID")!
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
