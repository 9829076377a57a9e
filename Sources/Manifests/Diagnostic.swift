/// One finding about the manifests: where (file, line, column, field path), what, and what to do.
public struct Diagnostic: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    /// What kind of problem this is; stable, for scripts and tests.
    public struct Code: Sendable, Hashable, Codable, CustomStringConvertible, RawRepresentable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let yamlSyntax = Code(rawValue: "yamlSyntax")
        public static let duplicateKey = Code(rawValue: "duplicateKey")
        public static let undefinedAlias = Code(rawValue: "undefinedAlias")
        public static let limitExceeded = Code(rawValue: "limitExceeded")
        public static let notAMapping = Code(rawValue: "notAMapping")
        public static let unsupportedAPIVersion = Code(rawValue: "unsupportedAPIVersion")
        public static let unknownKind = Code(rawValue: "unknownKind")
        public static let unknownField = Code(rawValue: "unknownField")
        public static let missingField = Code(rawValue: "missingField")
        public static let wrongType = Code(rawValue: "wrongType")
        public static let invalidValue = Code(rawValue: "invalidValue")
        public static let invalidName = Code(rawValue: "invalidName")
        public static let duplicateObject = Code(rawValue: "duplicateObject")
        public static let unresolvedReference = Code(rawValue: "unresolvedReference")
        public static let unknownColumn = Code(rawValue: "unknownColumn")
        public static let pathOutsideRepository = Code(rawValue: "pathOutsideRepository")
        public static let fileNotFound = Code(rawValue: "fileNotFound")
        public static let unreadable = Code(rawValue: "unreadable")
        /// A quality rule would have to evaluate data in a format the evaluator does not read (Parquet).
        public static let unsupportedFormat = Code(rawValue: "unsupportedFormat")
    }

    public var severity: Severity
    public var code: Code
    public var file: String
    public var line: Int
    public var column: Int
    /// Field path inside the document, e.g. `spec.checks[2].range.min`; empty for the document itself.
    public var path: String
    public var message: String

    public init(
        _ severity: Severity = .error, _ code: Code, file: String, line: Int, column: Int, path: String,
        message: String
    ) {
        self.severity = severity
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: error: path: message`, the form compilers and editors understand.
    public var formatted: String {
        let where_ = path.isEmpty ? "" : "\(path): "
        return "\(file):\(line):\(column): \(severity.rawValue): \(where_)\(message)"
    }
}

extension Diagnostic: Comparable {
    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        if a.column != b.column { return a.column < b.column }
        return a.message < b.message
    }
}
