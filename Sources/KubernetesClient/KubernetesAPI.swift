import Blocking
import Curl
import Foundation
import Manifests

/// A small client of the Kubernetes REST API over libcurl: JSON requests, a body streamed to a
/// file (pod logs), and watch streams. Every call blocks a thread of its own queue, never the
/// cooperative pool; connections are kept between calls.
public final class KubernetesAPI: Sendable {
    public let credentials: KubernetesCredentials
    let transfers = TransferPool(capacity: 4)
    let queue = BlockingQueue(concurrentLabel: "datapilot.kubernetes")

    public init(credentials: KubernetesCredentials) {
        self.credentials = credentials
    }

    /// One request with a JSON body (or none); the answer's JSON, or a `KubernetesError` saying
    /// what the API answered. `contentType` is the body's: `application/json`, or a patch type.
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        contentType: String = "application/json", timeoutSeconds: Int = 30
    ) async throws(KubernetesError) -> JSONValue {
        let response = try await perform(
            method, path, query: query, body: body, contentType: contentType, accept: "application/json",
            timeoutSeconds: timeoutSeconds, sink: .memory)
        guard (200..<300).contains(response.status) else {
            throw KubernetesError.answer(response, method: method, path: path, credentials: credentials)
        }
        switch JSONText.parse(response.body) {
        case .success(let value): return value
        case .failure(let error):
            throw KubernetesError(
                status: response.status, reason: "BadResponse",
                description: "\(method) \(path) on the Kubernetes API \(credentials.server) answered no JSON: \(error)")
        }
    }

    /// A GET whose body (a pod's log) goes to `file`, never whole into memory.
    public func download(_ path: String, query: [(String, String)] = [], to file: String, timeoutSeconds: Int = 120)
        async throws(KubernetesError)
    {
        let response = try await perform(
            "GET", path, query: query, body: nil, contentType: nil, accept: "*/*",
            timeoutSeconds: timeoutSeconds, sink: .file(file))
        guard (200..<300).contains(response.status) else {
            var answered = response
            answered.body = Array((FileManager.default.contents(atPath: file) ?? Data()).prefix(64 << 10))
            throw KubernetesError.answer(answered, method: "GET", path: path, credentials: credentials)
        }
    }

    /// A watch request: each event line is handed to `onEvent` as it arrives, until it returns
    /// false, the API ends the stream (`timeoutSeconds` in the query), or the call fails.
    public func stream(
        _ path: String, query: [(String, String)], timeoutSeconds: Int,
        onEvent: @escaping @Sendable (JSONValue) -> Bool
    ) async throws(KubernetesError) {
        let lines = LineSplitter(onLine: onEvent)
        let response = try await perform(
            "GET", path, query: query, body: nil, contentType: nil, accept: "application/json",
            timeoutSeconds: timeoutSeconds, sink: .stream { lines.feed($0) })
        guard (200..<300).contains(response.status) else {
            throw KubernetesError.answer(response, method: "GET", path: path, credentials: credentials)
        }
    }

    func perform(
        _ method: String, _ path: String, query: [(String, String)], body: JSONValue?, contentType: String?, accept: String,
        timeoutSeconds: Int, sink: ResponseSink
    ) async throws(KubernetesError) -> HTTPResponse {
        var headers = [("Accept", accept), ("User-Agent", "datapilot-server")]
        if let token = try credentials.bearer() { headers.append(("Authorization", "Bearer \(token)")) }
        var payload = HTTPRequest.Body.none
        if let body {
            payload = .bytes(Array(body.jsonString().utf8))
            headers.append(("Content-Type", contentType ?? "application/json"))
        }
        var request = HTTPRequest(
            method: method, url: credentials.server + path + Self.encode(query), headers: headers,
            body: payload, timeoutSeconds: timeoutSeconds)
        request.tls = credentials.tls
        let transfers = self.transfers
        let prepared = request
        let result = await queue.run {
            transfers.with { transfer in Result { () throws(CurlError) in try transfer.perform(prepared, into: sink) } }
        }
        switch result {
        case .success(let response): return response
        case .failure(let error): throw KubernetesError.transport(error, method: method, path: path, credentials: credentials)
        }
    }

    /// `?a=b&c=d`, each part percent-encoded (a field selector's `=` included).
    static func encode(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "?" + query.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }
}

/// Splits a streamed body into lines and parses each as JSON (a watch event per line).
final class LineSplitter: @unchecked Sendable {
    private var pending: [UInt8] = []
    private let onLine: @Sendable (JSONValue) -> Bool
    private let lock = NSLock()

    init(onLine: @escaping @Sendable (JSONValue) -> Bool) {
        self.onLine = onLine
    }

    /// False once the reader wants no more.
    func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lock.withLock {
            pending.append(contentsOf: bytes)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                guard !line.allSatisfy({ $0 == 32 || $0 == 13 }) else { continue }
                let value = (try? JSONText.parse(line).get()) ?? .null
                if !onLine(value) { return false }
            }
            return true
        }
    }
}
