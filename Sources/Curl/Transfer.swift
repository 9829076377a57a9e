import CLibCurl
import Foundation

/// libcurl's global state is set up once per process, before any handle exists.
enum LibCurl {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()
}

/// One easy handle, reused across requests so connections are kept alive. Blocking: run it on
/// a thread of its own, never the async cooperative pool, and from one thread at a time.
public final class Transfer {
    let handle: UnsafeMutableRawPointer
    /// libcurl writes failure details here; it must outlive every perform.
    let errorBuffer: UnsafeMutablePointer<CChar>

    public init() {
        _ = LibCurl.initialized
        handle = curl_easy_init()
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// GET `url` into memory.
    public func get(_ url: String, timeoutSeconds: Int = 30) throws(CurlError) -> HTTPResponse {
        try perform(HTTPRequest(method: "GET", url: url, timeoutSeconds: timeoutSeconds))
    }

    /// Sends `request`; the response body goes to memory or, with `into: .file`, streams to disk
    /// (or, with `.stream`, to a reader as it arrives).
    public func perform(_ request: HTTPRequest, into sink: ResponseSink = .memory) throws(CurlError) -> HTTPResponse {
        let state = TransferState(request: request, sink: sink)
        do {
            try state.open()
        } catch {
            throw CurlError(code: .localFile, message: "\(error)", url: request.url)
        }
        defer { state.close() }
        let context = Unmanaged.passUnretained(state).toOpaque()

        curl_easy_reset(handle)
        errorBuffer[0] = 0
        datapilot_curl_setopt_string(handle, CURLOPT_URL, request.url)
        datapilot_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        // Redirects are never followed (libcurl's default, stated): a 3xx is the caller's to read, so
        // an Authorization header never travels to the host a Location names.
        datapilot_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        datapilot_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, min(request.timeoutSeconds, 10))
        datapilot_curl_setopt_long(handle, CURLOPT_TIMEOUT, request.timeoutSeconds)
        datapilot_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        datapilot_curl_setopt_write_function(handle, curlWrite)
        datapilot_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        datapilot_curl_setopt_header_function(handle, curlHeader)
        datapilot_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        try request.tls.apply(to: handle, url: request.url)

        var headers: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers { headers = curl_slist_append(headers, "\(name): \(value)") }
        switch request.body {
        case .none:
            if request.method == "HEAD" {
                datapilot_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
            } else if request.method != "GET" {
                datapilot_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
            }
        case .bytes, .file:
            // Upload mode streams the body through the read callback with a known length; the
            // method is then set explicitly, so POST, PUT and PATCH all stream the same way.
            datapilot_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            datapilot_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(state.uploadLength))
            datapilot_curl_setopt_read_function(handle, curlRead)
            datapilot_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
            datapilot_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
            headers = curl_slist_append(headers, "Expect:")  // no 100-continue round trip
        }
        datapilot_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
        defer { curl_slist_free_all(headers) }

        let result = withExtendedLifetime(state) { curl_easy_perform(handle) }
        // A stream's reader that has seen what it waited for ends the transfer: a normal end.
        let stopped = result == CURLE_WRITE_ERROR && state.stoppedByReader
        if let failure = state.failure {
            throw CurlError(code: .localFile, message: failure, url: request.url)
        }
        guard result == CURLE_OK || stopped else {
            let detail = String(cString: errorBuffer)
            throw CurlError(
                code: CurlError.Code(rawValue: result.rawValue),
                message: detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail, url: request.url)
        }
        var status = 0
        datapilot_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: state.headers, body: state.body)
    }
}

public struct HTTPRequest: Sendable {
    public enum Body: Sendable {
        case none
        case bytes([UInt8])
        /// Streamed from disk in chunks, never held in memory.
        case file(String)
    }

    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Body
    /// The whole transfer, connection included.
    public var timeoutSeconds: Int
    /// The CA and client certificate of an HTTPS request (default: the system's trust store).
    public var tls = TLSOptions()

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: Body = .none, timeoutSeconds: Int = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

public enum ResponseSink: Sendable {
    case memory
    /// Written to this path as it arrives (created or truncated).
    case file(String)
    /// Handed, chunk by chunk as it arrives, to a reader on the transfer's thread; the reader
    /// returns false to end the transfer there (a normal end, not an error). Only the body of
    /// a 2xx answer is streamed: any other answer's body is kept in `HTTPResponse.body`.
    case stream(@Sendable (UnsafeRawBufferPointer) -> Bool)
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header lines of the final response, names lower-cased.
    public var headers: [(name: String, value: String)]
    /// Empty when the body went to a file.
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first(where: { $0.name == lowered })?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What the C callbacks reach through their context pointer.
final class TransferState {
    let request: HTTPRequest
    let sink: ResponseSink
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var output: FileHandle?
    var input: FileHandle?
    var uploadBytes: [UInt8] = []
    var uploadOffset = 0
    var uploadLength = 0
    var failure: String?
    /// The status of the response being received (from its status line), for streamed bodies.
    var status = 0
    var stoppedByReader = false

    init(request: HTTPRequest, sink: ResponseSink) {
        self.request = request
        self.sink = sink
    }

    func open() throws {
        switch request.body {
        case .none: break
        case .bytes(let bytes):
            uploadBytes = bytes
            uploadLength = bytes.count
        case .file(let path):
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            uploadLength = (attributes[.size] as? NSNumber)?.intValue ?? 0
            input = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        }
        if case .file(let path) = sink {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }
    }

    func close() {
        try? output?.close()
        try? input?.close()
    }
}

private let curlWrite: datapilot_curl_data_callback = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    if let output = state.output {
        do {
            try output.write(contentsOf: bytes)
        } catch {
            state.failure = "cannot write the response body: \(error)"
            return 0  // aborts the transfer
        }
    } else if case .stream(let reader) = state.sink, (200..<300).contains(state.status) {
        guard reader(bytes) else {
            state.stoppedByReader = true
            return 0  // ends the transfer
        }
    } else {
        state.body.append(contentsOf: bytes)
    }
    return size * count
}

private let curlHeader: datapilot_curl_data_callback = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        state.headers.removeAll()  // a new response (after a redirect or 100)
        state.status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }
    if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        state.headers.append((name, value))
    }
    return size * count
}

private let curlRead: datapilot_curl_data_callback = { buffer, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let capacity = size * count
    guard let buffer else { return 0 }
    if let input = state.input {
        do {
            guard let chunk = try input.read(upToCount: capacity), !chunk.isEmpty else { return 0 }
            chunk.copyBytes(to: UnsafeMutableRawBufferPointer(start: buffer, count: chunk.count))
            return chunk.count
        } catch {
            state.failure = "cannot read the request body: \(error)"
            return Int(CURL_READFUNC_ABORT)
        }
    }
    let n = min(capacity, state.uploadBytes.count - state.uploadOffset)
    state.uploadBytes.withUnsafeBytes { source in
        UnsafeMutableRawBufferPointer(start: buffer, count: n).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: source[state.uploadOffset..<(state.uploadOffset + n)]))
    }
    state.uploadOffset += n
    return n
}
