import HTTPTypes
import Hummingbird
import Synchronization

/// A route as the OpenAPI document names it: `GET /api/datasets/{name}`.
public struct RouteDescription: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var method: String
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    public var description: String { "\(method) \(path)" }

    public static func < (a: RouteDescription, b: RouteDescription) -> Bool { (a.path, a.method) < (b.path, b.method) }
}

/// Hummingbird's router plus a table of what was registered, so the OpenAPI document can be
/// checked against the routes the server really serves.
public struct APIRouter {
    public let router: Router<APIRequestContext>
    let table: RouteTable
    /// When set, every route is registered with this handler instead of its own: the gateway
    /// uses it to forward a service's routes to the process that runs that service.
    let replacement: Handler?

    final class RouteTable: Sendable {
        let routes = Mutex<[RouteDescription]>([])
        func withLock<T>(_ body: (inout [RouteDescription]) -> T) -> T { routes.withLock { body(&$0) } }
    }

    public init(router: Router<APIRequestContext>) {
        self.router = router
        table = RouteTable()
        replacement = nil
    }

    /// A view of the same router and table whose routes all go to `handler`.
    public func forwarding(to handler: @escaping Handler) -> APIRouter {
        APIRouter(router: router, table: table, replacement: handler)
    }

    init(router: Router<APIRequestContext>, table: RouteTable, replacement: Handler?) {
        self.router = router
        self.table = table
        self.replacement = replacement
    }

    public typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    public func get(_ path: String, _ handler: @escaping Handler) { on(.get, path, handler) }
    public func post(_ path: String, _ handler: @escaping Handler) { on(.post, path, handler) }
    public func put(_ path: String, _ handler: @escaping Handler) { on(.put, path, handler) }
    public func delete(_ path: String, _ handler: @escaping Handler) { on(.delete, path, handler) }
    public func head(_ path: String, _ handler: @escaping Handler) { on(.head, path, handler) }

    func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        let openAPIPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 == "**" ? "{path}" : String($0) }.joined(separator: "/")
        table.withLock { $0.append(RouteDescription(method: method.rawValue, path: openAPIPath)) }
        router.on(RouterPath(path), method: method, use: replacement ?? handler)
    }

    /// Every route registered so far, sorted.
    public var routes: [RouteDescription] { table.withLock { $0.sorted() } }
}
