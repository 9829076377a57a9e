/// Why a source could not be resolved or read; `message` says what to do next.
public struct GitSourceError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }

        /// The reference, commit, repository or path is not there.
        public static let notFound = Code(rawValue: "notFound")
        public static let authentication = Code(rawValue: "authentication")
        /// The SSH server's host key is unknown or differs from known_hosts.
        public static let hostKey = Code(rawValue: "hostKey")
        public static let timeout = Code(rawValue: "timeout")
        public static let network = Code(rawValue: "network")
        /// The spec itself is wrong (URL, reference syntax, path, credentials' shape).
        public static let invalidSpec = Code(rawValue: "invalidSpec")
        /// The cache repository or an exported file is damaged or unreadable.
        public static let corrupt = Code(rawValue: "corrupt")
        public static let tooLarge = Code(rawValue: "tooLarge")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
