/// Something wrong with a YAML stream, located at a mark.
public struct YAMLIssue: Error, Sendable, Hashable {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }
        /// Not YAML at all at this point (libyaml's scanner or parser gave up).
        public static let syntax = Code(raw: "syntax")
        /// The same key twice in one mapping.
        public static let duplicateKey = Code(raw: "duplicateKey")
        /// `*name` with no `&name` before it in the document.
        public static let undefinedAlias = Code(raw: "undefinedAlias")
        /// One of `YAMLLimits` was exceeded.
        public static let limit = Code(raw: "limit")
    }

    public var code: Code
    public var mark: Mark
    public var message: String
    /// The document the issue belongs to (nil when the stream itself broke before any document).
    public var documentIndex: Int?

    public init(code: Code, mark: Mark, message: String, documentIndex: Int?) {
        self.code = code
        self.mark = mark
        self.message = message
        self.documentIndex = documentIndex
    }
}

/// The outcome of composing a stream: every document that composed cleanly, and every issue.
/// A document with a limit issue is left out of `documents`; a syntax issue ends the stream.
public struct YAMLStream: Sendable {
    public var documents: [YAMLDocument]
    public var issues: [YAMLIssue]
}
