import HTTPTypes
import Hummingbird
import ObjectStore

/// The answer to GET or HEAD of a stored object: the whole of it (200) or one byte range of it
/// (206 with `Content-Range`; 416 for a range that starts past its end), with its ETag (the quoted
/// sha256), `Accept-Ranges`, its content type and an attachment file name. `If-Range` with another
/// validator than the ETag (an older ETag, a date) serves the whole object, as RFC 9110 says.
/// HEAD gets the same status and headers without reading the object. A filesystem store's file
/// is sent by the kernel (`ZeroCopyFile`); other stores stream through a spool file.
public struct StoredDownload: Sendable {
    public var key: String
    public var size: Int64
    public var sha256: String
    public var contentType: String
    /// The name offered for saving (`Content-Disposition: attachment`).
    public var filename: String
    /// The object as a 416's detail names it: "this version".
    public var what: String

    public init(key: String, size: Int64, sha256: String, contentType: String, filename: String, what: String) {
        self.key = key
        self.size = size
        self.sha256 = sha256
        self.contentType = contentType
        self.filename = filename
        self.what = what
    }

    public func response(
        to request: Request, context: APIRequestContext, store: any ObjectStore, spoolDirectory: String
    ) async throws -> Response {
        let eTag = "\"\(sha256)\""
        var headers: HTTPFields = [
            .contentType: contentType, .eTag: eTag, .acceptRanges: "bytes",
            .contentDisposition: "attachment; filename=\"\(filename)\"",
        ]
        var range: ClosedRange<Int64>?
        if let header = request.headers[.range], request.headers[.ifRange].map({ $0 == eTag }) ?? true {
            switch ByteRange.parse(header, size: size) {
            case .ignored: break  // not a single byte range: RFC 9110 says serve the whole body
            case .satisfiable(let parsed): range = parsed
            case .unsatisfiable:
                throw Problem(
                    .rangeNotSatisfiable, title: "Range not satisfiable",
                    detail: "\(header) is outside the \(size) bytes of \(what)",
                    headers: [.contentRange: "bytes */\(size)"])
            }
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? size
        headers[.contentLength] = String(length)
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)" }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        if request.method == .head { return Response(status: status, headers: headers, body: ResponseBody()) }
        let body = try await storedObjectBody(
            store, key: key, size: size, range: range, spoolDirectory: spoolDirectory, channel: context.channel)
        return Response(status: status, headers: headers, body: body)
    }
}

/// `Range: bytes=a-b | a- | -n` (one range) within a body of `size` bytes.
public enum ByteRange: Equatable, Sendable {
    case satisfiable(ClosedRange<Int64>)
    case unsatisfiable
    /// Another unit, several ranges, or not a range at all: served as a whole.
    case ignored

    public static func parse(_ header: String, size: Int64) -> ByteRange {
        guard header.hasPrefix("bytes=") else { return .ignored }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .ignored }
        let (start, end) = (spec[..<dash], spec[spec.index(after: dash)...])
        if start.isEmpty {
            guard let n = Int64(end) else { return .ignored }
            guard n > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - n)...(size - 1))
        }
        guard let a = Int64(start) else { return .ignored }
        guard a < size else { return .unsatisfiable }
        if end.isEmpty { return .satisfiable(a...(size - 1)) }
        guard let b = Int64(end), b >= a else { return .ignored }
        return .satisfiable(a...min(b, size - 1))
    }
}
