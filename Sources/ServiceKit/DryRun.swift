import HTTPTypes
import Hummingbird
import Postgres

/// `?dryRun=true` on a write: every check runs and the transaction runs too, then it is rolled
/// back, so the caller sees the answer the real request would get and nothing is written (no
/// row, no audit event, no idempotency record). Answers carry `X-DataPilot-Dry-Run: true`.
public enum DryRun {
    /// Whether the request asks for a dry run; a value other than true or false is a 400.
    public static func requested(_ request: Request) throws -> Bool {
        guard let raw = request.uri.queryParameters["dryRun"] else { return false }
        switch raw {
        case "true": return true
        case "false": return false
        default:
            throw Problem(.badRequest, title: "Bad dryRun", detail: "dryRun must be true or false, got \"\(raw)\"")
        }
    }

    /// A route handler that is told whether to dry-run and whose answers, problems included,
    /// carry the dry-run header when it does.
    public static func route(_ handler: @escaping @Sendable (Request, APIRequestContext, Bool) async throws -> Response)
        -> APIRouter.Handler
    {
        { request, context in
            let dryRun = try requested(request)
            do {
                var response = try await handler(request, context, dryRun)
                if dryRun { response.headers[.dryRun] = "true" }
                return response
            } catch var problem as Problem where dryRun {
                problem.headers[.dryRun] = "true"
                throw problem
            }
        }
    }
}

extension ConnectionPool {
    /// Runs `body` in a transaction that commits when it returns, or, for a dry run, is rolled
    /// back all the same; it is rolled back when `body` throws.
    @discardableResult
    public func withTransaction<T: Sendable>(dryRun: Bool, _ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await lend(start: { try $0.query("begin") }) { connection in
            do {
                let result = try body(connection)
                try connection.query(dryRun ? "rollback" : "commit")
                return result
            } catch {
                _ = try? connection.query("rollback")
                throw error
            }
        }
    }
}

extension HTTPField.Name {
    public static let dryRun = HTTPField.Name("X-DataPilot-Dry-Run")!
}
