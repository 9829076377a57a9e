import CLibCurl

/// How a request checks the server's certificate and proves who it is: a CA to trust instead
/// of the system's store, and a client certificate with its key, each from a file or in
/// memory (PEM). The default is the system's trust store and no client certificate.
public struct TLSOptions: Sendable {
    public enum Source: Sendable {
        case file(String)
        case pem([UInt8])
    }

    public var certificateAuthority: Source?
    public var clientCertificate: Source?
    public var clientKey: Source?

    public init(certificateAuthority: Source? = nil, clientCertificate: Source? = nil, clientKey: Source? = nil) {
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }

    /// Sets the options on a handle; an option libcurl refuses (a build without it) is an error.
    func apply(to handle: UnsafeMutableRawPointer, url: String) throws(CurlError) {
        let settings: [(Source?, CURLoption, CURLoption, String)] = [
            (certificateAuthority, CURLOPT_CAINFO, CURLOPT_CAINFO_BLOB, "the CA certificate"),
            (clientCertificate, CURLOPT_SSLCERT, CURLOPT_SSLCERT_BLOB, "the client certificate"),
            (clientKey, CURLOPT_SSLKEY, CURLOPT_SSLKEY_BLOB, "the client key"),
        ]
        for (source, fileOption, blobOption, what) in settings {
            let result: CURLcode
            switch source {
            case nil: continue
            case .file(let path): result = datapilot_curl_setopt_string(handle, fileOption, path)
            case .pem(let bytes):
                result = bytes.withUnsafeBytes { datapilot_curl_setopt_blob(handle, blobOption, $0.baseAddress, $0.count) }
            }
            guard result == CURLE_OK else {
                throw CurlError(
                    code: CurlError.Code(rawValue: result.rawValue),
                    message: "cannot use \(what): \(String(cString: curl_easy_strerror(result)))", url: url)
            }
        }
    }
}
