import Blocking
import Curl
import Foundation

/// Objects in an S3 bucket (AWS S3 or a compatible server: MinIO, Ceph, moto, ...), spoken to
/// over HTTP with libcurl and signed with Signature Version 4.
///
/// Bodies stream between local files and the network: an upload reads the file in chunks as
/// libcurl sends it, a download is written to disk as it arrives. Nothing holds a whole object.
/// Uploads are a single PUT, so objects are limited to 5 GiB (S3's limit for one PUT);
/// multipart upload is not implemented.
public struct S3ObjectStore: ObjectStore {
    public enum AddressingStyle: String, Sendable, CaseIterable {
        /// `https://endpoint/bucket/key`: works with any endpoint, IP addresses included; what
        /// MinIO and most local servers expect.
        case path
        /// `https://bucket.endpoint/key`: what AWS recommends; the bucket name must be a DNS label
        /// and the endpoint a host name.
        case virtualHost
    }

    public struct Configuration: Sendable, CustomStringConvertible {
        /// `https://s3.amazonaws.com`, `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`.
        public var endpoint: String
        public var bucket: String
        public var region: String
        public var credentials: AWSCredentials
        public var addressingStyle: AddressingStyle
        /// Prepended to every key (`datapilot/` stores `sha256/ab/...` as `datapilot/sha256/ab/...`).
        public var keyPrefix: String
        /// For requests without a body worth mentioning (HEAD, DELETE, the reachability check).
        public var requestTimeoutSeconds: Int
        /// The slowest transfer still considered alive: a body of n bytes gets
        /// `requestTimeoutSeconds + n / minimumBytesPerSecond` seconds.
        public var minimumBytesPerSecond: Int64

        public init(
            endpoint: String, bucket: String, region: String = "us-east-1",
            accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil,
            addressingStyle: AddressingStyle = .path, keyPrefix: String = "",
            requestTimeoutSeconds: Int = 30, minimumBytesPerSecond: Int64 = 256 * 1024
        ) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.region = region
            self.credentials = AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
            self.addressingStyle = addressingStyle
            self.keyPrefix = keyPrefix
            self.requestTimeoutSeconds = requestTimeoutSeconds
            self.minimumBytesPerSecond = minimumBytesPerSecond
        }

        /// No credentials in it.
        public var description: String {
            "S3(endpoint: \(endpoint), bucket: \(bucket), region: \(region), style: \(addressingStyle.rawValue), prefix: \(keyPrefix))"
        }
    }

    /// S3's limit for a single PUT.
    public static let maximumSinglePutBytes: Int64 = 5 * 1024 * 1024 * 1024

    public let configuration: Configuration
    let signer: SigV4
    /// `http` or `https`.
    let scheme: String
    /// What goes after `scheme://` and in the Host header: the bucket is already in it for
    /// virtual-host addressing; the port only when it is not the scheme's default.
    let authority: String
    /// The endpoint's own path (usually empty), without a trailing slash.
    let basePath: String
    /// Normalized: empty, or ending with `/`.
    let keyPrefix: String
    let endpointDescription: String
    let io = BlockingQueue(concurrentLabel: "datapilot.objectstore.s3")
    let transfers = TransferPool()

    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        let endpoint = configuration.endpoint.trimmingCharacters(in: .whitespaces)
        guard let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = url.host, !host.isEmpty
        else {
            throw ObjectStoreError(
                .rejected,
                "the S3 endpoint must be an http:// or https:// URL with a host, like https://s3.amazonaws.com or http://127.0.0.1:9000")
        }
        guard url.user == nil && url.password == nil else {
            throw ObjectStoreError(.rejected, "the S3 endpoint URL must not carry credentials; set accessKeyId and secretAccessKey instead")
        }
        guard url.query == nil && url.fragment == nil else {
            throw ObjectStoreError(.rejected, "the S3 endpoint \(endpoint) must not have a query or fragment")
        }
        let bucket = configuration.bucket
        guard !bucket.isEmpty, !bucket.contains("/"), bucket.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ObjectStoreError(
                .rejected, "the S3 bucket name '\(bucket)' is not valid: check the bucket setting (a name, not a URL or path)")
        }
        guard !configuration.region.isEmpty else {
            throw ObjectStoreError(.rejected, "the S3 region is empty: set it (us-east-1 for most S3-compatible servers)")
        }
        guard !configuration.credentials.accessKeyId.isEmpty, !configuration.credentials.secretAccessKey.isEmpty else {
            throw ObjectStoreError(.rejected, "the S3 access key id or secret access key is empty")
        }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }  // IPv6 literal
        var port = ""
        if let number = url.port, !(scheme == "http" && number == 80), !(scheme == "https" && number == 443) {
            port = ":\(number)"
        }
        self.endpointDescription = "\(scheme)://\(host)\(port)\(url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path)"

        switch configuration.addressingStyle {
        case .path:
            authority = host + port
        case .virtualHost:
            guard Self.isDNSCompatible(bucket) else {
                throw ObjectStoreError(
                    .rejected,
                    "bucket '\(bucket)' cannot be used with virtual-host addressing (it must be 3-63 lower-case letters, digits, '-' or '.'): use path-style addressing"
                )
            }
            guard !Self.isIPAddress(host) else {
                throw ObjectStoreError(
                    .rejected,
                    "virtual-host addressing needs an endpoint with a host name, not the IP address \(host): use path-style addressing")
            }
            authority = "\(bucket).\(host)\(port)"
        }
        self.scheme = scheme
        var base = url.path
        while base.hasSuffix("/") { base.removeLast() }
        self.basePath = base

        var prefix = configuration.keyPrefix
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        self.keyPrefix = prefix
        self.signer = SigV4(credentials: configuration.credentials, region: configuration.region, service: "s3")
    }

    /// `s3://bucket/prefix (endpoint)`.
    public var description: String {
        let prefix = keyPrefix.hasSuffix("/") ? String(keyPrefix.dropLast()) : keyPrefix
        return "s3://\(configuration.bucket)\(prefix.isEmpty ? "" : "/" + prefix) (\(endpointDescription))"
    }

    // MARK: ObjectStore

    public func put(file path: String, key: String, contentType: String) async throws {
        let objectKey = try fullKey(key)
        try await io.run { [self] in
            let length = try localFileSize(path)
            guard length <= Self.maximumSinglePutBytes else {
                throw ObjectStoreError(
                    .rejected,
                    "cannot store \(key) in \(description): it is \(length) bytes, and objects above 5 GiB need multipart upload, which is not implemented"
                )
            }
            // Content addressing: an object already under this key holds these bytes. A HEAD is
            // much cheaper than uploading them again.
            if try headSize(objectKey) == length { return }

            // The body is signed with its real sha256, not UNSIGNED-PAYLOAD: it costs one extra
            // streamed read of the file (about 2 s per GiB), and in exchange S3 verifies the bytes
            // it received against the hash and refuses the PUT (XAmzContentSHA256Mismatch)
            // when anything changed them on the way, or when the file changed between hashing
            // and sending. Over plain http (local MinIO) it is the only integrity check there is.
            let digest = try SigV4.sha256Hex(fileAt: path)
            let response = try send(
                "PUT", path: objectPath(objectKey), headers: [("content-type", contentType)],
                body: .file(path), payloadHash: digest, timeoutSeconds: timeout(bytes: length))
            guard (200..<300).contains(response.status) else {
                throw failure(response, body: response.body, doing: "store \(key)")
            }
        }
    }

    public func size(key: String) async throws -> Int64? {
        let objectKey = try fullKey(key)
        return try await io.run { [self] in try headSize(objectKey) }
    }

    public func get(key: String, range: ClosedRange<Int64>?, to path: String) async throws {
        let objectKey = try fullKey(key)
        if let range, range.lowerBound < 0 {
            throw ObjectStoreError(.rejected, "cannot read \(key): the range \(range) starts before the object")
        }
        try await io.run { [self] in
            var headers: [(String, String)] = []
            let expected: Int64
            if let range {
                headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)"))
                expected = range.upperBound - range.lowerBound + 1
            } else {
                // The size bounds the transfer's timeout; a missing object is reported before any
                // file is created.
                guard let size = try headSize(objectKey) else {
                    throw ObjectStoreError(.notFound, "no object \(key) in \(description)")
                }
                expected = size
            }
            // Downloaded beside the destination and renamed into place, so an error document or
            // a broken transfer never ends up at `path`.
            let staging = path + ".partial-\(UUID().uuidString)"
            defer { unlink(staging) }
            let response = try send(
                "GET", path: objectPath(objectKey), headers: headers, into: .file(staging),
                timeoutSeconds: timeout(bytes: expected))
            guard (200..<300).contains(response.status) else {
                throw failure(response, body: Self.readPrefix(of: staging), doing: "read \(key)")
            }
            if range != nil && response.status != 206,
                let length = response.header("content-length").flatMap(Int64.init), length != expected
            {
                throw ObjectStoreError(
                    .io, "reading \(key) from \(description): the server ignored the Range header and sent the whole object")
            }
            if rename(staging, path) != 0 {
                throw ObjectStoreError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func delete(key: String) async throws {
        let objectKey = try fullKey(key)
        try await io.run { [self] in
            let response = try send("DELETE", path: objectPath(objectKey), timeoutSeconds: configuration.requestTimeoutSeconds)
            if (200..<300).contains(response.status) { return }
            let error = failure(response, body: response.body, doing: "delete \(key)")
            if error.code == .notFound { return }  // already gone
            throw error
        }
    }

    public func putNamed(_ bytes: [UInt8], key: String, contentType: String) async throws {
        let objectKey = try fullKey(key)
        try await io.run { [self] in
            // Unlike `put`, no HEAD first: a named object's new bytes may have the old size.
            let response = try send(
                "PUT", path: objectPath(objectKey), headers: [("content-type", contentType)],
                body: .bytes(bytes), payloadHash: SigV4.sha256Hex(bytes), timeoutSeconds: timeout(bytes: Int64(bytes.count)))
            guard (200..<300).contains(response.status) else {
                throw failure(response, body: response.body, doing: "store \(key)")
            }
        }
    }

    public func getNamed(key: String, maximumBytes: Int) async throws -> [UInt8]? {
        let objectKey = try fullKey(key)
        return try await io.run { [self] in
            let response = try send(
                "GET", path: objectPath(objectKey), headers: [("range", "bytes=0-\(maximumBytes)")],
                timeoutSeconds: timeout(bytes: Int64(maximumBytes)))
            // An empty object has no byte 0 to range over.
            if response.status == 416 { return [] }
            guard (200..<300).contains(response.status) else {
                if response.status == 404 && response.body.isEmpty { return nil }
                let error = failure(response, body: response.body, doing: "read \(key)")
                if error.code == .notFound { return nil }
                throw error
            }
            guard response.body.count <= maximumBytes else {
                throw ObjectStoreError(
                    .rejected, "the object \(key) in \(description) is larger than the \(maximumBytes) bytes expected of it")
            }
            return response.body
        }
    }

    /// A ListObjectsV2 asking for no keys: cheap, authenticated, and unlike HEAD its error
    /// answers have a body saying which of endpoint, bucket, region or credentials is wrong.
    /// It proves reading (listing) works; it does not write a probe object.
    public func checkReachable() async throws {
        try await io.run { [self] in
            let response = try send("GET", path: bucketPath, query: reachabilityQuery, timeoutSeconds: configuration.requestTimeoutSeconds)
            guard (200..<300).contains(response.status) else {
                let error = failure(response, body: response.body, doing: "list the bucket")
                throw ObjectStoreError(.unreachable, error.message)
            }
        }
    }

    /// Limited to the key prefix, so credentials whose policy only covers the prefix
    /// (`s3:prefix` conditions) pass.
    var reachabilityQuery: [(name: String, value: String)] {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", "0")]
        if !keyPrefix.isEmpty { query.append(("prefix", keyPrefix)) }
        return query
    }

    // MARK: Requests

    /// One signed request, blocking: call it inside `io.run`. Transport failures become
    /// `.unreachable` (or `.io` for the local file); any HTTP status is returned.
    func send(
        _ method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(String, String)] = [], body: HTTPRequest.Body = .none,
        payloadHash: String = SigV4.emptyPayloadHash, into sink: ResponseSink = .memory,
        timeoutSeconds: Int
    ) throws -> HTTPResponse {
        let request = SigV4.Request(
            method: method, host: authority, path: path, query: query,
            headers: headers.map { ($0.0, $0.1) }, payloadHash: payloadHash)
        let signed = signer.sign(request, at: Date())
        let http = HTTPRequest(
            method: method, url: url(request),
            headers: signed.headers.map { ($0.name, $0.value) },
            body: body, timeoutSeconds: timeoutSeconds)
        do {
            return try transfers.with { transfer in try transfer.perform(http, into: sink) }
        } catch let error as CurlError {
            if error.code == .localFile {
                throw ObjectStoreError(.io, redact("\(method) \(description): \(error.message)"))
            }
            throw ObjectStoreError(
                .unreachable,
                redact(
                    "cannot reach the S3 endpoint \(endpointDescription) (bucket \(configuration.bucket)): \(error.message); check the endpoint URL and that the server is up"
                ))
        }
    }

    /// The size from a HEAD, or nil on 404.
    func headSize(_ objectKey: String) throws -> Int64? {
        let response = try send("HEAD", path: objectPath(objectKey), timeoutSeconds: configuration.requestTimeoutSeconds)
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else {
            throw failure(response, body: [], doing: "look up \(objectKey.dropFirst(keyPrefix.count))")
        }
        guard let length = response.header("content-length").flatMap(Int64.init) else {
            throw ObjectStoreError(.io, "\(description) answered HEAD \(objectKey) without a Content-Length")
        }
        return length
    }

    /// The URL an object is read from (for tests and logs; nothing secret in it).
    func objectURL(key: String) throws -> String {
        url(SigV4.Request(method: "GET", host: authority, path: objectPath(try fullKey(key))))
    }

    func url(_ request: SigV4.Request) -> String {
        let query = request.encodedQuery
        return "\(scheme)://\(authority)\(request.encodedPath)\(query.isEmpty ? "" : "?" + query)"
    }

    /// The request path (not encoded) of the bucket itself.
    var bucketPath: String {
        switch configuration.addressingStyle {
        case .path: basePath + "/" + configuration.bucket
        case .virtualHost: basePath + "/"
        }
    }

    /// The request path (not encoded) of an object, its key already prefixed.
    func objectPath(_ objectKey: String) -> String {
        switch configuration.addressingStyle {
        case .path: basePath + "/" + configuration.bucket + "/" + objectKey
        case .virtualHost: basePath + "/" + objectKey
        }
    }

    /// The key under the prefix. Keys whose path would be rewritten on the way (`.` and `..`
    /// segments, which HTTP clients collapse) or that are empty are refused.
    func fullKey(_ key: String) throws -> String {
        guard !key.isEmpty, !key.hasPrefix("/") else {
            throw ObjectStoreError(.rejected, "the object key '\(key)' is not valid: it must be non-empty and not start with '/'")
        }
        guard !key.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }),
            !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw ObjectStoreError(.rejected, "the object key '\(key)' is not valid: no '.' or '..' segments or control characters")
        }
        return keyPrefix + key
    }

    func timeout(bytes: Int64) -> Int {
        configuration.requestTimeoutSeconds + Int(bytes / max(configuration.minimumBytesPerSecond, 1))
    }

    func localFileSize(_ path: String) throws -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ObjectStoreError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return Int64(info.st_size)
    }

    /// The first bytes of a downloaded error document.
    static func readPrefix(of path: String) -> [UInt8] {
        guard let input = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? input.close() }
        return [UInt8]((try? input.read(upToCount: 1 << 16)) ?? Data())
    }

    // MARK: Errors

    /// Turns an S3 error answer into a message that says what to check. `body` is the error
    /// document, empty for HEAD (whose answers have none, so only the status speaks).
    func failure(_ response: HTTPResponse, body: [UInt8], doing action: String) -> ObjectStoreError {
        failure(status: response.status, bucketRegion: response.header("x-amz-bucket-region"), body: body, doing: action)
    }

    func failure(status: Int, bucketRegion: String?, body: [UInt8], doing action: String) -> ObjectStoreError {
        let parsed = S3ErrorResponse(xml: body) ?? S3ErrorResponse()
        let otherRegion = (bucketRegion ?? parsed.region).map { " (it is in \($0))" } ?? ""
        let wrongRegion =
            "cannot \(action): bucket '\(configuration.bucket)' is not in region \(configuration.region) at this endpoint\(otherRegion); check the region and the endpoint"
        let whereabouts = description
        let bucket = configuration.bucket
        let detail =
            parsed.code.map { code in " [S3 said \(status) \(code)\(parsed.message.map { ": \($0)" } ?? "")]" } ?? " [HTTP \(status)]"

        let result: (ObjectStoreError.Code, String)
        switch parsed.code {
        case "NoSuchKey":
            result = (.notFound, "cannot \(action): no such object in \(whereabouts)")
        case "NoSuchBucket":
            result = (
                .rejected,
                "cannot \(action): there is no bucket '\(bucket)' at \(endpointDescription); check the bucket name and the endpoint (and the region)"
            )
        case "InvalidAccessKeyId":
            result = (
                .rejected,
                "cannot \(action) in \(whereabouts): S3 does not know the access key id; check accessKeyId, and that the endpoint is the service the key belongs to"
            )
        case "SignatureDoesNotMatch":
            result = (
                .rejected,
                "cannot \(action) in \(whereabouts): S3 rejected the request signature; check secretAccessKey (it must be the secret of this access key id) and the region (\(configuration.region))"
            )
        case "ExpiredToken", "TokenRefreshRequired":
            result = (.rejected, "cannot \(action) in \(whereabouts): the session token has expired; refresh the temporary credentials")
        case "InvalidToken":
            result = (
                .rejected,
                "cannot \(action) in \(whereabouts): the session token is not valid; check sessionToken (leave it unset for long-term access keys)"
            )
        case "AccessDenied", "AllAccessDisabled", "AccountProblem", "InvalidObjectState":
            result = (
                .rejected,
                "cannot \(action) in \(whereabouts): access denied; the credentials were accepted but may not do this; check the IAM and bucket policies for bucket '\(bucket)'"
            )
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException", "TemporaryRedirect":
            result = (.rejected, wrongRegion)
        case "RequestTimeTooSkewed", "RequestExpired":
            result = (
                .rejected,
                "cannot \(action) in \(whereabouts): this machine's clock is too far from the server's; fix the system clock (NTP)"
            )
        case "XAmzContentSHA256Mismatch", "BadDigest", "IncompleteBody":
            result = (
                .io,
                "cannot \(action) in \(whereabouts): the uploaded bytes did not match their checksum; the file changed during the upload or the transfer was corrupted; retry"
            )
        case "EntityTooLarge":
            result = (
                .rejected,
                "cannot \(action) in \(whereabouts): too large for a single PUT; objects above 5 GiB need multipart upload, which is not implemented"
            )
        case "InvalidRange":
            result = (.rejected, "cannot \(action) in \(whereabouts): the requested range is outside the object")
        case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout":
            result = (.unreachable, "cannot \(action) in \(whereabouts): S3 is unavailable or overloaded; retry later")
        case .some(let code):
            result = (status >= 500 ? .unreachable : .rejected, "cannot \(action) in \(whereabouts): S3 answered \(code)")
        case nil:
            switch status {
            case 301, 307:
                result = (.rejected, wrongRegion)
            case 400 where bucketRegion != nil:
                result = (.rejected, wrongRegion)
            case 403:
                result = (
                    .rejected,
                    "cannot \(action) in \(whereabouts): access denied; check accessKeyId, secretAccessKey and sessionToken, the region, and that these credentials may use bucket '\(bucket)'"
                )
            case 404:
                result = (.notFound, "cannot \(action): nothing at \(whereabouts); check the bucket name and the endpoint")
            case 500...:
                result = (.unreachable, "cannot \(action) in \(whereabouts): the server failed (HTTP \(status)); retry later")
            default:
                result = (
                    .rejected,
                    "cannot \(action) in \(whereabouts): the endpoint answered HTTP \(status) without an S3 error; check that the endpoint URL is an S3 API endpoint"
                )
            }
        }
        return ObjectStoreError(result.0, redact(result.1 + detail))
    }

    /// Belt and braces: S3's own messages do not quote secrets, but nothing that came from the
    /// network reaches an error without the credentials blanked out.
    func redact(_ text: String) -> String {
        var out = text
        let credentials = configuration.credentials
        for secret in [credentials.secretAccessKey, credentials.sessionToken ?? "", credentials.accessKeyId] where secret.count >= 8 {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        return out
    }

    // MARK: Validation

    static func isDNSCompatible(_ bucket: String) -> Bool {
        guard (3...63).contains(bucket.count), !isIPAddress(bucket) else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        return bucket.allSatisfy { allowed.contains($0) }
            && bucket.first != "-" && bucket.first != "." && bucket.last != "-" && bucket.last != "."
            && !bucket.contains("..")
    }

    static func isIPAddress(_ host: String) -> Bool {
        if host.hasPrefix("[") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
