import CLibCurl

/// A libcurl failure: its CURLcode and the message from the error buffer.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        public let rawValue: UInt32
        public static let couldNotConnect = Code(rawValue: CURLE_COULDNT_CONNECT.rawValue)
        public static let timedOut = Code(rawValue: CURLE_OPERATION_TIMEDOUT.rawValue)
        public static let couldNotResolveHost = Code(rawValue: CURLE_COULDNT_RESOLVE_HOST.rawValue)
        /// A local file to send or receive could not be read or written.
        public static let localFile = Code(rawValue: 10_000)
    }

    public var code: Code
    public var message: String
    public var url: String

    public var description: String { "\(url): \(message)" }
}
