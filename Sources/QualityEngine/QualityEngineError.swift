/// Why an evaluation could not run at all (a bad check gives an ERROR result instead).
public struct QualityEngineError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public var description: String { rawValue }

        /// The file name says neither CSV nor JSONL.
        public static let unknownFormat = Code(rawValue: "unknownFormat")
        /// The file could not be opened or read.
        public static let io = Code(rawValue: "io")
        /// gzip data is damaged.
        public static let corrupt = Code(rawValue: "corrupt")
        /// feed() after finish().
        public static let finished = Code(rawValue: "finished")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
