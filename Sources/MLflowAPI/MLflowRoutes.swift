import Experiments
import HTTPTypes
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// The MLflow-compatible tracking API: `/api/2.0/mlflow/...` and the `mlflow-artifacts` proxy
/// routes, over DataPilot's experiments and runs (docs/mlflow.md). Every error is MLflow's
/// `{"error_code", "message"}` with the status MLflow gives the code, as the client parses them.
public struct MLflowRoutes: Sendable {
    let pool: ConnectionPool
    let services: RunServices
    let spoolDirectory: String
    let maxUploadBytes: Int64

    public init(pool: ConnectionPool, experiments: ExperimentRoutes, spoolDirectory: String, maxUploadBytes: Int64) {
        self.pool = pool
        self.services = RunServices(experiments)
        self.spoolDirectory = spoolDirectory
        self.maxUploadBytes = maxUploadBytes
    }

    /// Registers a route whose handler answers a JSON object (or a response of its own).
    typealias Register = (HTTPRequest.Method, String, @escaping @Sendable (Request, APIRequestContext) async throws -> JSONValue) -> Void

    public func register(on router: APIRouter) {
        let register: Register = { method, path, handler in
            Self.on(router, method, path) { request, context in Response.json(try await handler(request, context)) }
        }
        MLflowExperiments(pool: pool, services: services).register(register)
        MLflowRuns(pool: pool, services: services).register(register)
        MLflowArtifacts(pool: pool, services: services, spoolDirectory: spoolDirectory, maxUploadBytes: maxUploadBytes).register {
            method, path, handler in
            Self.on(router, method, path, handler)
        }
    }

    /// The route with its errors, and DataPilot's problems, answered as MLflow's errors.
    static func on(
        _ router: APIRouter, _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, APIRequestContext) async throws -> Response
    ) {
        let wrapped: APIRouter.Handler = { request, context in
            do {
                // Who is asking comes first: a caller without credentials learns nothing of the request.
                if context.principal == nil { try context.require(.viewer) }
                return try await handler(request, context)
            } catch let error as MLflowError {
                // Answered here: the server's middleware would make any thrown error a problem.
                return try error.response(from: request, context: context)
            } catch let problem as Problem {
                return try MLflowError(problem).response(from: request, context: context)
            }
        }
        // MLflow's web UI asks under /ajax-api/ what its client asks under /api/.
        for path in [path, Self.ajaxPath(path)] {
            switch method {
            case .get: router.get(path, wrapped)
            case .put: router.put(path, wrapped)
            case .delete: router.delete(path, wrapped)
            case .head: router.head(path, wrapped)
            default: router.post(path, wrapped)
            }
        }
    }

    /// `/api/2.0/mlflow/x` as MLflow's web UI asks for it: `/ajax-api/2.0/mlflow/x`.
    static func ajaxPath(_ path: String) -> String {
        precondition(path.hasPrefix("/api/"), "an MLflow route is under /api/: \(path)")
        return "/ajax-api/" + path.dropFirst("/api/".count)
    }
}
