import Curl
import Foundation
import Notifications

/// An OpenLineage HTTP collector (Marquez's `POST /api/v1/lineage` and the like): each event
/// posted as JSON, with `Authorization: Bearer <key>` when a key is configured. 2xx is
/// delivered; network errors, 408, 429 and 5xx are retried (`RetryPolicy`); anything else is final.
public struct HTTPSink: LineageSink {
    public var url: String
    let apiKey: String?
    let transfers = TransferPool(capacity: 2)

    public init(url: String, apiKey: String?) {
        self.url = url
        self.apiKey = apiKey
    }

    public var label: String {
        guard let components = URLComponents(string: url), let host = components.host else { return "http ?" }
        return "http " + host + (components.port.map { ":\($0)" } ?? "") + components.path
    }

    public var secrets: [String] { apiKey.map { [$0] } ?? [] }

    public func deliver(_ body: [UInt8]) throws(SinkFailure) {
        var headers = [("Content-Type", "application/json"), ("User-Agent", "datapilot-server")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: .bytes(body), timeoutSeconds: 15)
        let outcome = transfers.with { transfer in Result { () throws(CurlError) in try transfer.perform(request) } }
        switch outcome {
        case .success(let response) where (200..<300).contains(response.status): return
        case .success(let response):
            let text = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SinkFailure(
                "HTTP \(response.status)" + (text.isEmpty ? "" : ": " + text), retryable: RetryPolicy.retryable(status: response.status),
                status: response.status)
        case .failure(let error):
            throw SinkFailure(error.message, retryable: true)
        }
    }
}
