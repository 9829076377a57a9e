import APIModel
import Blocking
import Curl
import Foundation
import HTTPTypes
import Hummingbird
import Manifests
import ServiceKit

/// `/api/reconciler/...`: the reconciler's status and operator controls through the gateway, so the
/// web UI and `dpctl source --reconciler <gateway>/api/reconciler` reach them with the caller's own
/// credentials and the gateway's roles. A fixed set of routes, each mapped to one route on the
/// reconciler's port (`reconciler-url`): reads need viewer, `sync` editor, the other controls admin,
/// checked here first; the caller's `Authorization` header is forwarded unchanged, so the
/// reconciler checks it again with `/auth/whoami` and audits the control naming the caller. The
/// gateway adds no credential of its own. Without `reconciler-url` every route answers 503.
public struct ReconcilerGatewayRoutes: Sendable {
    /// The reconciler's port, e.g. `http://reconciler:8090`; nil when none is configured.
    let baseURL: String?
    let io = BlockingQueue(concurrentLabel: "datapilot.gateway.reconciler")

    public static let prefix = "/api/reconciler"
    /// The controls and the role each needs here (the reconciler requires the same).
    static let controls: [(action: String, role: Role)] = [
        ("sync", .editor), ("suspend", .admin), ("resume", .admin), ("rollback", .admin), ("unpin", .admin),
    ]
    static let maxBodyBytes = 4096
    static let maxHistory = 50

    public init(baseURL: String?) {
        self.baseURL = baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    public func register(on api: APIRouter) {
        api.get(Self.prefix + "/status") { _, context in
            try context.require(.viewer)
            return try await forward("GET", "/status", context)
        }
        api.get(Self.prefix + "/sources") { _, context in
            try context.require(.viewer)
            return try await forward("GET", "/sources", context)
        }
        api.get(Self.prefix + "/sources/:source/history") { request, context in
            try context.require(.viewer)
            let source = try Self.source(context)
            return try await forward("GET", "/sources/\(source)/history\(try Self.limit(request))", context)
        }
        for (action, role) in Self.controls {
            api.post(Self.prefix + "/sources/:source/\(action)") { request, context in
                try context.require(role)
                let source = try Self.source(context)
                let body = action == "rollback" ? try await Self.rollbackBody(request) : nil
                return try await forward("POST", "/sources/\(source)/\(action)", context, request: request, body: body)
            }
        }
    }

    /// The source in the path: a source name (lower-case letters, digits and '-', as the
    /// reconciler's sources file allows), so nothing but that segment reaches the reconciler.
    static func source(_ context: APIRequestContext) throws -> String {
        let raw = try context.parameters.require("source")
        let name = raw.removingPercentEncoding ?? raw
        guard name.count <= 63, StringFormat.dnsSubdomain.accepts(name), !name.contains(".") else {
            throw Problem(
                .badRequest, title: "Bad source name",
                detail: "source: \"\(String(name.prefix(64)))\" is not a source name (lower-case letters, digits and '-', at most 63)")
        }
        return name
    }

    /// `?limit=N` of a history, 1 to 50; no other query goes through.
    static func limit(_ request: Request) throws -> String {
        guard let given = request.uri.queryParameters["limit"].map(String.init) else { return "" }
        guard let limit = Int(given), (1...maxHistory).contains(limit) else {
            throw Problem(
                .badRequest, title: "Bad limit",
                detail: "limit: expected a number from 1 to \(maxHistory), got \"\(String(given.prefix(32)))\"")
        }
        return "?limit=\(limit)"
    }

    /// A rollback's body, `{"commit": ID}`: JSON of at most 4 KiB, passed on as it came (the
    /// reconciler names what is wrong with its content).
    static func rollbackBody(_ request: Request) async throws -> [UInt8] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw Problem(.contentTooLarge, title: "Body too large", detail: "a rollback's body is at most \(maxBodyBytes) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        guard case .success(let value) = JSONText.parse(bytes), value.objectValue != nil else {
            throw Problem(
                .unprocessableContent, title: "Bad rollback", detail: "body: expected a JSON object such as {\"commit\": \"3f2a9c1\"}")
        }
        return bytes
    }

    /// One request to the reconciler as the caller: its `Authorization` header and the request
    /// id, nothing else; the answer's status and JSON body come back as they are.
    func forward(
        _ method: String, _ path: String, _ context: APIRequestContext, request: Request? = nil, body: [UInt8]? = nil
    ) async throws -> Response {
        guard let baseURL else {
            throw Problem(
                .serviceUnavailable, title: "No reconciler",
                detail:
                    "this gateway knows no reconciler: set reconciler-url (e.g. http://reconciler:8090) to reach it through /api/reconciler"
            )
        }
        var headers = [("X-Request-ID", context.requestID), ("Accept", "application/json")]
        if let authorization = request?.headers[.authorization] { headers.append(("Authorization", authorization)) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let outgoing = Curl.HTTPRequest(
            method: method, url: baseURL + path, headers: headers, body: body.map { .bytes($0) } ?? .none, timeoutSeconds: 30)
        let answer: Curl.HTTPResponse
        do {
            answer = try await io.run { try Transfer().perform(outgoing) }
        } catch {
            context.logger.error("reconciler unreachable", metadata: ["url": .string(baseURL), "error": .string("\(error)")])
            throw Problem(
                .badGateway, title: "Reconciler unreachable",
                detail:
                    "the reconciler did not answer; the gateway's log says where it looked (check that it runs and the gateway's reconciler-url)"
            )
        }
        var fields = HTTPFields()
        fields[.contentType] = answer.header("Content-Type") ?? "application/json"
        if let retry = answer.header("Retry-After") { fields[.retryAfter] = retry }
        return Response(
            status: HTTPTypes.HTTPResponse.Status(code: answer.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
