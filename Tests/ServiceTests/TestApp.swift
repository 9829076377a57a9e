import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Manifests
import ServiceKit
import Testing

/// ServiceKit's request validation behind a router in process, the way the server mounts it
/// (RequestIDMiddleware first), driven by Hummingbird's test client: no server, no database.
/// `X-Test-Role` stands in for the gateway's authentication.
func withTestApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: TestPrincipal())
    router.get("/page") { request, _ in
        let page = try PageRequest(request: request)
        return Response.json(["size": .int(Int64(page.size)), "after": page.after.map(JSONValue.string) ?? .null])
    }
    router.get("/selector") { request, _ in
        let (conditions, parameters) = try request.labelSelector?.sql(column: "labels", firstParameter: 1) ?? ([], [])
        return Response.json([
            "conditions": .array(conditions.map(JSONValue.string)), "parameters": .array(parameters.map(JSONValue.string)),
        ])
    }
    router.post("/object") { request, context in Response.json(try await request.jsonObject(context: context, limit: 64)) }
    router.post("/dataset") { request, context in
        Response.json(["name": .string(try await request.manifest(of: .dataset, context: context).name)])
    }
    router.get("/editor") { _, context in Response.json(["subject": .string(try context.require(.editor).subject)]) }
    router.get("/conflict") { _, _ -> Response in
        throw Problem(
            .conflict, title: "Taken", detail: "churn-1 holds other content", extensions: [JSONMember("name", .string("churn-1"))])
    }
    router.get("/crash") { _, _ -> Response in throw UnexpectedError() }
    try await Application(router: router).test(.router, body)
}

struct UnexpectedError: Error {}

struct TestPrincipal: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let name = HTTPField.Name("X-Test-Role"), let role = request.headers[name].flatMap(Role.init(rawValue:)) {
            context.principal = Principal(subject: "tester", role: role)
        }
        return try await next(request, context)
    }
}

extension TestResponse {
    var json: JSONValue {
        guard case .success(let value) = JSONText.parse(Array(body.readableBytesView)) else { return .null }
        return value
    }

    var text: String { String(buffer: body) }
}

extension HTTPFields {
    static func json(_ extra: [HTTPField.Name: String] = [:]) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in extra { fields[name] = value }
        return fields
    }
}
