import Crypto
import Foundation

/// An access key pair, with the session token that temporary (STS) credentials carry.
/// Its descriptions never show the secret or the token, so it is safe to log or interpolate.
public struct AWSCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "AWSCredentials(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// AWS Signature Version 4 for S3 (header-based signing, `Authorization: AWS4-HMAC-SHA256 ...`).
///
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
/// S3 differs from the other services in one way that matters here: the canonical URI is the
/// path URI-encoded once (each segment), not twice.
public struct SigV4: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    /// The sha256 of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The `x-amz-content-sha256` value for a body that is not part of the signature.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request as it is signed: `path` is not encoded yet (`/bucket/my key`), `query` items are
    /// not encoded either, `host` includes the port when it is not the scheme's default.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var path: String
        public var query: [(name: String, value: String)]
        /// Headers to sign besides host, x-amz-date, x-amz-content-sha256 and the token.
        public var headers: [(name: String, value: String)]
        /// Lower-case hex sha256 of the body, `emptyPayloadHash`, or `unsignedPayload`.
        public var payloadHash: String

        public init(
            method: String, host: String, path: String, query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)] = [], payloadHash: String = SigV4.emptyPayloadHash
        ) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }

        /// The path as it goes on the wire and into the canonical request.
        public var encodedPath: String { SigV4.encodePath(path) }
        /// The query as it goes on the wire and into the canonical request.
        public var encodedQuery: String { SigV4.canonicalQuery(query) }
    }

    /// What signing produced: every header to send (Host included) and the intermediate strings,
    /// for tests and for comparing with S3's `<CanonicalRequest>` when it says the signature is wrong.
    public struct Signed: Sendable {
        public var headers: [(name: String, value: String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String

        public var authorization: String? { headers.first(where: { $0.name == "authorization" })?.value }
    }

    public func sign(_ request: Request, at date: Date) -> Signed {
        let (day, timestamp) = Self.timestamps(date)
        var headers: [(name: String, value: String)] = request.headers.map { (Self.canonicalName($0.name), Self.canonicalValue($0.value)) }
        headers.removeAll { ["host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "authorization"].contains($0.name) }
        headers.append(("host", request.host))
        headers.append(("x-amz-date", timestamp))
        headers.append(("x-amz-content-sha256", request.payloadHash))
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        headers.sort { $0.name < $1.name }

        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method.uppercased(),
            request.encodedPath,
            request.encodedQuery,
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            timestamp,
            scope,
            Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day)))
        headers.append(
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
            ))
        return Signed(headers: headers, canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    // MARK: Encoding

    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8))

    /// AWS's URI encoding: every byte of the UTF-8 form except A-Z a-z 0-9 - _ . ~ becomes %XX
    /// (upper-case hex); a space is %20, never +.
    public static func uriEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Each `/`-separated segment encoded once, the slashes kept (S3 does not double-encode).
    public static func encodePath(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : "/" + path
        return absolute.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    /// Names and values encoded, sorted by name then value, `name=value` joined by `&`.
    public static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items.map { (uriEncode($0.name), uriEncode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    static func canonicalName(_ name: String) -> String { name.lowercased().trimmingCharacters(in: .whitespaces) }

    /// Trimmed, with runs of spaces collapsed to one.
    static func canonicalValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    // MARK: Hashing and time

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func sha256Hex(_ bytes: some DataProtocol) -> String { hex(SHA256.hash(data: bytes)) }

    /// The hex sha256 of a file, read in 1 MiB chunks so any size fits in constant memory.
    public static func sha256Hex(fileAt path: String) throws -> String {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw ObjectStoreError(.io, "cannot read \(path)")
        }
        defer { try? input.close() }
        var hasher = SHA256()
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    /// `20130524` and `20130524T000000Z`, in UTC, whatever the locale.
    static func timestamps(_ date: Date) -> (day: String, timestamp: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        return (day, "\(day)T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z")
    }
}
