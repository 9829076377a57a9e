import CLibCurl

/// libcurl's global state is set up once per process, before any handle exists.
enum LibCurl {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header lines of the final response, names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first(where: { $0.name == lowered })?.value
    }
}

/// One easy handle. Blocking: run it on a thread of its own, never the async cooperative pool.
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

    /// GET `url`, following no redirects, within `timeoutSeconds` for the whole transfer.
    public func get(_ url: String, timeoutSeconds: Int = 30) throws(CurlError) -> HTTPResponse {
        final class Sink {
            var body: [UInt8] = []
            var headers: [(String, String)] = []
        }
        let sink = Sink()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        curl_easy_reset(handle)
        datapilot_curl_setopt_string(handle, CURLOPT_URL, url)
        datapilot_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        datapilot_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
        errorBuffer[0] = 0
        datapilot_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        datapilot_curl_setopt_write_function(handle) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
            sink.body.append(contentsOf: bytes)
            return size * count
        }
        datapilot_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        datapilot_curl_setopt_header_function(handle) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
            if line.hasPrefix("HTTP/") { sink.headers.removeAll() }  // a new response (after 100-continue)
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: " \r\n\t")
                sink.headers.append((name, value))
            }
            return size * count
        }
        datapilot_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        let result = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        guard result == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw CurlError(code: CurlError.Code(rawValue: result.rawValue),
                            message: detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail, url: url)
        }
        var status = 0
        datapilot_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = Substring(self).unicodeScalars[...]
        while let first = view.first, scalars.contains(first) { view = view.dropFirst() }
        while let last = view.last, scalars.contains(last) { view = view.dropLast() }
        return String(String.UnicodeScalarView(view))
    }
}
