import Blocking
import Curl
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Forwards a request to the process that runs its service (split mode), over libcurl. Bodies
/// go through spool files in both directions, so a large upload or download never sits in
/// memory. The caller's credentials and the request id travel with the request: the upstream
/// checks authorisation itself. Before a body byte is read, the gateway refuses a caller without
/// credentials (401) and a declared length over `max-upload-bytes` (413); a chunked body is cut
/// at the limit (413, the spool file removed).
public struct UpstreamProxy: Sendable {
    public let name: String
    public let baseURL: String
    let spoolDirectory: String
    /// `max-upload-bytes`: the largest body forwarded.
    let maxBodyBytes: Int64
    let io = BlockingQueue(concurrentLabel: "datapilot.gateway.proxy")

    public init(name: String, baseURL: String, spoolDirectory: String, maxBodyBytes: Int64 = .max) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.spoolDirectory = spoolDirectory
        self.maxBodyBytes = maxBodyBytes
    }

    /// The forwarded routes anyone may call: only the published evidence keys.
    static func isPublic(_ request: Request) -> Bool {
        (request.method == .get || request.method == .head) && request.uri.path.hasPrefix("/.well-known/")
    }

    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authorization", "proxy-authenticate", "host", "content-length", "date", "server",
    ]

    public func handle(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        // The credential itself was checked by AuthMiddleware; here its absence is refused.
        if context.principal == nil, !Self.isPublic(request) { try context.require(.viewer) }
        var headers: [(String, String)] = []
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) && field.name != .requestID {
            headers.append((field.name.rawName, field.value))
        }
        headers.append(("X-Request-ID", context.requestID))
        let hasBody = (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0 || request.headers[.transferEncoding] != nil
        var spooled: SpooledBody?
        // An anonymous caller's body never reaches the disk: the public routes take none.
        if hasBody, context.principal == nil {
            throw Problem(
                .contentTooLarge, title: "No body here",
                detail: "\(request.method.rawValue) \(request.uri.path) takes no request body; send it without one")
        }
        if hasBody {
            spooled = try await SpooledBody.receive(request, into: spoolDirectory, limit: maxBodyBytes)
        }
        defer { spooled?.discard() }
        let outgoing = Curl.HTTPRequest(
            method: request.method.rawValue, url: baseURL + request.uri.description, headers: headers,
            body: spooled.map { .file($0.path) } ?? .none, timeoutSeconds: 3600)
        let responseFile = spoolDirectory + "/proxy-\(UUID().uuidString)"
        let upstream: Curl.HTTPResponse
        do {
            upstream = try await io.run { try Transfer().perform(outgoing, into: .file(responseFile)) }
        } catch {
            try? FileManager.default.removeItem(atPath: responseFile)
            context.logger.error(
                "upstream unreachable", metadata: ["service": .string(name), "url": .string(baseURL), "error": .string("\(error)")])
            throw Problem(
                .badGateway, title: "Upstream unreachable",
                detail:
                    "the \(name) service did not answer; the gateway's log says where it looked (check that the service runs and the gateway's \(name)-url)"
            )
        }
        var fields = HTTPFields()
        for (name, value) in upstream.headers where !Self.hopByHop.contains(name) {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: responseFile)[.size] as? NSNumber)?.int64Value ?? 0
        if size == 0 { try? FileManager.default.removeItem(atPath: responseFile) }
        // A HEAD answer has no body: its Content-Length is the upstream's, the size a GET would have.
        fields[.contentLength] = request.method == .head ? upstream.header("Content-Length") : String(size)
        return Response(
            status: HTTPTypes.HTTPResponse.Status(code: upstream.status), headers: fields,
            body: size == 0 ? ResponseBody() : fileBody(path: responseFile, offset: 0, length: size, removeAfter: true))
    }
}
