import YAML

/// JSON text to `JSONValue` without a schema: strict JSON by `JSONComposer` (exact strings:
/// C1 controls, surrogate pairs), anything else (YAML, such as config files) by the YAML
/// composer; both give the same limits (depth, size, nodes).
public enum JSONText {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        /// The text may be valid, but is over a limit (values, depth, one value's size).
        public var exceedsLimit = false
        public var description: String { "\(line):\(column): \(message)" }
    }

    public static func parse(_ text: String) -> Result<JSONValue, ParseError> {
        parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) -> Result<JSONValue, ParseError> {
        parse(bytes, maxValues: YAMLLimits().maxNodesPerDocument)
    }

    /// As `parse`, for a body allowed more than the usual 100,000 values (an apply set's members).
    public static func parse(_ bytes: [UInt8], maxValues: Int) -> Result<JSONValue, ParseError> {
        let stream = JSONComposer.composeJSONOrYAML(bytes, limits: YAMLLimits(maxDocuments: 1, maxNodesPerDocument: maxValues))
        if let issue = stream.issues.first {
            return .failure(
                ParseError(line: issue.mark.line, column: issue.mark.column, message: issue.message, exceedsLimit: issue.code == .limit))
        }
        guard let root = stream.documents.first?.root else {
            return .failure(ParseError(line: 1, column: 1, message: "no JSON value"))
        }
        return .success(value(root))
    }

    /// The node as JSON, scalars typed by the YAML 1.2 core schema.
    public static func value(_ node: YAMLNode) -> JSONValue {
        switch node.value {
        case .scalar(let s):
            switch ImplicitScalar.resolve(s, tag: node.tag) {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .double(d)
            case .string(let t): return .string(t)
            }
        case .sequence(let items): return .array(items.map(value))
        case .mapping(let pairs): return .object(pairs.map { JSONMember($0.key.scalar?.text ?? "", value($0.value)) })
        }
    }
}
