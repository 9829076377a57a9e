import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Postgres

/// Gives every request an id: the caller's `X-Request-ID` when it is sane, otherwise a new
/// UUID. The id goes into the logger's metadata and every response, problems included.
/// Errors that are not already problems become a 500 problem here, logged with the id (503 with
/// Retry-After while the database is unavailable).
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let incoming = request.headers[.requestID], Self.isSane(incoming) {
            context.requestID = incoming
        }
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.requestID
            return response
        } catch let problem as Problem {
            throw problem
        } catch let error as HTTPError {
            // Hummingbird's own errors: no route, method not allowed, body too large, bad request.
            throw Problem(
                error.status, title: error.status.reasonPhrase,
                detail: error.body ?? Self.explain(error.status, request), headers: error.headers)
        } catch let error as PostgresError where error.isUnavailable {
            // Where the database is and why it does not answer is for the log, not the caller.
            context.logger.error("the database is unavailable", metadata: ["error": .string("\(error)")])
            throw Problem.databaseUnavailable
        } catch let error as PostgresError where error.sqlState == "23505" || error.sqlState == "23503" {
            // A unique or foreign-key violation is a race another request won.
            throw Problem(
                .conflict, title: "Conflict",
                detail: "a concurrent request changed the same object first; GET it and retry (\(error.message))")
        } catch let error as PostgresError where error.sqlState?.hasPrefix("22") == true {
            // Data exceptions: a value from the request that Postgres cannot read (a bad date, say).
            throw Problem(.badRequest, title: "Bad value", detail: error.message)
        } catch let error as HTTPResponseError {
            throw Problem(error.status, title: error.status.reasonPhrase, detail: "\(error)")
        } catch {
            context.logger.error("unhandled error", metadata: ["error": .string("\(error)")])
            throw Problem(
                .internalServerError, title: "Internal server error",
                detail: "the server failed to handle this request; quote request id \(context.requestID) when reporting it")
        }
    }

    static func explain(_ status: HTTPResponse.Status, _ request: Request) -> String {
        switch status {
        case .notFound: return "no route for \(request.method) \(request.uri.path); see /openapi.yaml"
        case .contentTooLarge: return "the body is larger than this route accepts"
        default: return status.reasonPhrase
        }
    }

    static func isSane(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128
            && id.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95
            }
    }
}
