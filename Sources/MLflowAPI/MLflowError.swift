import Foundation
import HTTPTypes
import Hummingbird
import Manifests
import ServiceKit

/// An error as MLflow's tracking server answers it, `{"error_code": "...", "message": "..."}` with
/// the HTTP status MLflow gives that code: the client raises `RestException` from it.
public struct MLflowError: Error, HTTPResponseError, Sendable {
    /// MLflow's error codes this API answers (`databricks.proto`'s ErrorCode).
    public enum Code: String, Sendable {
        case invalidParameterValue = "INVALID_PARAMETER_VALUE"
        case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"
        case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
        case invalidState = "INVALID_STATE"
        case permissionDenied = "PERMISSION_DENIED"
        case unauthenticated = "UNAUTHENTICATED"
        case badRequest = "BAD_REQUEST"
        case endpointNotFound = "ENDPOINT_NOT_FOUND"
        case temporarilyUnavailable = "TEMPORARILY_UNAVAILABLE"
        case internalError = "INTERNAL_ERROR"
        case aborted = "ABORTED"

        /// The status MLflow's server sends with the code (`mlflow/exceptions.py`).
        public var status: HTTPResponse.Status {
            switch self {
            case .invalidParameterValue, .resourceAlreadyExists, .badRequest: return .badRequest
            case .resourceDoesNotExist, .endpointNotFound: return .notFound
            case .permissionDenied: return .forbidden
            case .unauthenticated: return .unauthorized
            case .aborted: return .conflict
            case .temporarilyUnavailable: return .serviceUnavailable
            case .invalidState, .internalError: return .internalServerError
            }
        }
    }

    public var code: Code
    public var message: String
    public var headers: HTTPFields

    public init(_ code: Code, _ message: String, headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var status: HTTPResponse.Status { code.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        if let requestID = (context as? APIRequestContext)?.requestID { headers[.requestID] = requestID }
        let body: JSONValue = ["error_code": .string(code.rawValue), "message": .string(message)]
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.jsonString().utf8)))
    }

    static func invalid(_ message: String) -> MLflowError { MLflowError(.invalidParameterValue, message) }
    static func missing(_ what: String) -> MLflowError { MLflowError(.resourceDoesNotExist, what) }

    /// DataPilot's own problem said the MLflow way: its status picks the code, its detail is the message.
    init(_ problem: Problem) {
        let code: Code
        switch problem.status.code {
        case 401: code = .unauthenticated
        case 403: code = .permissionDenied
        case 404: code = .resourceDoesNotExist
        case 409 where problem.title == "Already exists": code = .resourceAlreadyExists
        case 409: code = .invalidParameterValue
        case 413, 415, 422, 400: code = .invalidParameterValue
        case 503: code = .temporarilyUnavailable
        default: code = problem.status.code >= 500 ? .internalError : .badRequest
        }
        var headers: HTTPFields = [:]
        if let authenticate = problem.headers[.wwwAuthenticate] { headers[.wwwAuthenticate] = authenticate }
        if let retry = problem.headers[.retryAfter] { headers[.retryAfter] = retry }
        self.init(code, problem.detail, headers: headers)
    }
}
