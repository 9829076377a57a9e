/// Why compressed input could not be decoded.
public struct CompressionError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }

        /// The bytes are not gzip, or are damaged (bad header, checksum, length).
        public static let corrupt = Code(rawValue: "corrupt")
        /// zlib could not start or ran out of memory.
        public static let zlib = Code(rawValue: "zlib")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
