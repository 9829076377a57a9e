import APIModel
import Blocking
import Curl
import Foundation
import Manifests

/// The gateway's API over libcurl: connections reused, blocking calls kept off the cooperative
/// pool, problem+json decoded into `APIError`, and retries with exponential backoff and jitter
/// for requests that are safe to repeat (reads, PUT, DELETE, and POSTs carrying an Idempotency-Key) when the
/// server cannot be reached or answers 5xx.
public final class APIClient: Sendable {
    public let server: String
    let token: String?
    let transfers = TransferPool(capacity: 8)
    let io = BlockingQueue(concurrentLabel: "datapilot.apiclient")
    public let maxAttempts: Int
    let timeoutSeconds: Int
    /// Headers sent with every request (source context, a tool name).
    public let commonHeaders: [(String, String)]

    public init(server: String, token: String?, maxAttempts: Int = 4, timeoutSeconds: Int = 60, commonHeaders: [(String, String)] = []) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        self.maxAttempts = max(1, maxAttempts)
        self.timeoutSeconds = timeoutSeconds
        self.commonHeaders = commonHeaders
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        /// The body as JSON; as large as the server's largest answer, an apply set's members
        /// (lists are paged; the server bounds what it sends).
        public var json: JSONValue {
            guard case .success(let value) = JSONText.parse(body, maxValues: ApplySetBody.maxJSONValues) else { return .null }
            return value
        }

        public func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }
    }

    /// Sends a request; a non-2xx answer throws `APIError`.
    public func send(
        _ method: String, _ path: String, json: JSONValue? = nil, body: HTTPRequest.Body? = nil,
        headers: [(String, String)] = [], idempotencyKey: String? = nil, retrySafe: Bool = false
    ) async throws -> Response {
        var allHeaders = commonHeaders + headers
        if let token { allHeaders.append(("Authorization", "Bearer \(token)")) }
        if let idempotencyKey { allHeaders.append(("Idempotency-Key", idempotencyKey)) }
        var requestBody = body ?? .none
        if let json {
            requestBody = .bytes(Array(json.jsonString().utf8))
            allHeaders.append(("Content-Type", "application/json"))
        }
        let request = HTTPRequest(
            method: method, url: server + path, headers: allHeaders, body: requestBody, timeoutSeconds: timeoutSeconds)
        // PUT and DELETE are idempotent (RFC 9110 9.2.2); POST only with an Idempotency-Key.
        // `retrySafe`: a POST whose body makes a repeat harmless (a batch whose objects carry keys).
        let repeatable = ["GET", "HEAD", "PUT", "DELETE"].contains(method) || idempotencyKey != nil || retrySafe
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Result<HTTPResponse, CurlError> = await io.run { [transfers] in
                transfers.with { transfer in Result { () throws(CurlError) in try transfer.perform(request) } }
            }
            switch outcome {
            case .success(let response) where (200..<300).contains(response.status):
                return Response(status: response.status, headers: response.headers, body: response.body)
            case .success(let response):
                if response.status >= 500, repeatable, attempt < maxAttempts {
                    try await backoff(attempt)
                    continue
                }
                throw APIError.from(status: response.status, body: response.body, method: method, path: path)
            case .failure(let error):
                if repeatable, attempt < maxAttempts {
                    try await backoff(attempt)
                    continue
                }
                throw APIError(
                    code: .unreachable, status: nil, problem: nil,
                    message:
                        "cannot reach the DataPilot server at \(server) (\(error.message)); check that it runs and that the context's server URL is right (dpctl config get-contexts)"
                )
            }
        }
    }

    /// 200 ms, 400 ms, 800 ms ... capped at 5 s, each with up to 50% random jitter.
    func backoff(_ attempt: Int) async throws {
        let base = min(5.0, 0.2 * pow(2.0, Double(attempt - 1)))
        try await Task.sleep(for: .milliseconds(Int(base * 1000 * Double.random(in: 0.5...1.0))))
    }

    /// Every item of a paged list, following `next_page_token`.
    public func list(_ path: String, query: [(String, String)] = [], pageSize: Int = 1000) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var token: String?
        repeat {
            let page = try await send("GET", path + "?" + APIPath.query(query + Page<JSONValue>.query(size: pageSize, token: token)))
            let decoded = try Page<JSONValue>.decode(page.body, from: "GET \(path)")
            items += decoded.items
            token = decoded.nextPageToken
        } while token != nil
        return items
    }
}
