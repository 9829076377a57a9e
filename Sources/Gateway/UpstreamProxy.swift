import Blocking
import Curl
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Forwards a request to the process that runs its service (split mode), over libcurl. Bodies
/// go through spool files in both directions, so a large upload or download never sits in
/// memory. The caller's credentials and the request id travel with the request: the upstream
/// checks authorisation itself.
public struct UpstreamProxy: Sendable {
    public let name: String
    public let baseURL: String
    let spoolDirectory: String
    let io = BlockingQueue(concurrentLabel: "datapilot.gateway.proxy")

    public init(name: String, baseURL: String, spoolDirectory: String) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.spoolDirectory = spoolDirectory
    }

    static let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
                                        "proxy-authorization", "proxy-authenticate", "host", "content-length", "date", "server"]

    public func handle(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var headers: [(String, String)] = []
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) && field.name != .requestID {
            headers.append((field.name.rawName, field.value))
        }
        headers.append(("X-Request-ID", context.requestID))
        let hasBody = (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0 || request.headers[.transferEncoding] != nil
        var spooled: SpooledBody?
        if hasBody {
            spooled = try await SpooledBody.receive(request.body, into: spoolDirectory, limit: .max)
        }
        defer { spooled?.discard() }
        let outgoing = Curl.HTTPRequest(method: request.method.rawValue, url: baseURL + request.uri.description, headers: headers,
                                   body: spooled.map { .file($0.path) } ?? .none, timeoutSeconds: 3600)
        let responseFile = spoolDirectory + "/proxy-\(UUID().uuidString)"
        let upstream: Curl.HTTPResponse
        do {
            upstream = try await io.run { try Transfer().perform(outgoing, into: .file(responseFile)) }
        } catch {
            try? FileManager.default.removeItem(atPath: responseFile)
            throw Problem(.badGateway, title: "Upstream unreachable",
                          detail: "the \(name) service at \(baseURL) did not answer (\(error)); check that it runs and that the gateway's \(name)-url points at it")
        }
        var fields = HTTPFields()
        for (name, value) in upstream.headers where !Self.hopByHop.contains(name) {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: responseFile)[.size] as? NSNumber)?.int64Value ?? 0
        fields[.contentLength] = String(size)
        return Response(status: HTTPTypes.HTTPResponse.Status(code: upstream.status), headers: fields,
                        body: size == 0 ? ResponseBody() : fileBody(path: responseFile, offset: 0, length: size, removeAfter: true))
    }
}
