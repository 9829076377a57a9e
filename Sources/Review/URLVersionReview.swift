import APIModel
import Blocking
import Curl
import Foundation
import Manifests
import SyncEngine
import URLPolicy

/// A new or changed DatasetVersion given by `spec.source.url`: checked against the URL allowlist
/// (`ExternalURLPolicy`, the code and the default the server registers versions with), then
/// downloaded to the plan's scratch folder (no redirect followed, at most `maxBytes`), checked
/// against its `spec.source.sha256`, and evaluated like a file in the repository.
struct URLVersionReview {
    let policy: ExternalURLPolicy
    let maxBytes: Int64
    let scratch: String
    static let io = BlockingQueue(concurrentLabel: "datapilot.plan.fetch")

    /// The downloaded file, or the result to report instead (not allowed, not fetched, wrong digest).
    func fetch(_ version: Manifest) async -> Result<String, QualityResultRefusal> {
        let url = version.spec["source"]?["url"]?.stringValue ?? ""
        let ref = ObjectRef(.datasetVersion, version.name)
        if let reason = policy.refusal(url) {
            let message = "\(ref): spec.source.url \(Self.shown(url)) is not allowed: \(reason)"
            return .failure(
                QualityResultRefusal(
                    message: "not fetched: its URL is outside the allowlist (--external-url-allow)",
                    finding: ReviewFinding(.urlNotAllowed, message, blocking: true)))
        }
        let expected = version.spec["source"]?["sha256"]?.stringValue?.lowercased() ?? ""
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let path = scratch + "/url-\(UUID().uuidString)"
        let limit = maxBytes
        let fetched: Result<Int, URLFetchError> = await Self.io.run {
            URLFetchError.download(url, to: path, maxBytes: limit)
        }
        switch fetched {
        case .failure(let error):
            let message = "not evaluated: \(ref): fetching \(Self.shown(url)) failed: \(error.message)"
            return .failure(QualityResultRefusal(message: message, finding: ReviewFinding(.quality, message, blocking: false)))
        case .success:
            break
        }
        let actual = (try? LocalContent.sha256(of: path)) ?? ""
        guard actual == expected else {
            try? FileManager.default.removeItem(atPath: path)
            let message =
                "\(ref): the data at \(Self.shown(url)) has sha256 \(actual), not the \(expected) of spec.source.sha256: the URL serves other data than the version pins"
            return .failure(
                QualityResultRefusal(message: "not evaluated: " + message, finding: ReviewFinding(.quality, message, blocking: true)))
        }
        return .success(path)
    }

    /// The URL without its query (pre-signed URLs carry credentials there).
    static func shown(_ url: String) -> String {
        guard let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url }
        return String(url[..<cut]) + "?…"
    }
}

/// Why a URL version's data was not evaluated, and the finding that says so.
struct QualityResultRefusal: Error, Sendable {
    var message: String
    var finding: ReviewFinding
}

/// A download that did not give the whole body.
struct URLFetchError: Error, Sendable {
    var message: String

    /// GET `url` into `path` with libcurl (redirects are never followed), stopping past `maxBytes`.
    static func download(_ url: String, to path: String, maxBytes: Int64) -> Result<Int, URLFetchError> {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            return .failure(URLFetchError(message: "cannot write \(path)"))
        }
        let counter = DownloadFile(handle)
        defer { try? counter.handle.close() }
        let sink = ResponseSink.stream { chunk in
            counter.bytes += Int64(chunk.count)
            guard counter.bytes <= maxBytes else {
                counter.over = true
                return false
            }
            counter.handle.write(Data(chunk))
            return true
        }
        let response: HTTPResponse
        do {
            response = try Transfer().perform(HTTPRequest(url: url, timeoutSeconds: 600), into: sink)
        } catch {
            return .failure(URLFetchError(message: error.message))
        }
        if counter.over { return .failure(URLFetchError(message: "it is larger than --url-max-bytes (\(maxBytes) bytes)")) }
        guard (200..<300).contains(response.status) else {
            let redirect = (300..<400).contains(response.status) ? " (redirects are not followed: give the final URL)" : ""
            return .failure(URLFetchError(message: "the server answered HTTP \(response.status)\(redirect)"))
        }
        return .success(Int(counter.bytes))
    }
}

/// The file a download streams into and the bytes seen; touched only on the transfer's thread.
final class DownloadFile: @unchecked Sendable {
    let handle: FileHandle
    var bytes: Int64 = 0
    var over = false

    init(_ handle: FileHandle) { self.handle = handle }
}
