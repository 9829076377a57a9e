/// Strict JSON (RFC 8259) to the same positioned `YAMLNode` trees the YAML composer makes, for
/// text that is JSON: request bodies and what Postgres gives back. libyaml reads most JSON, but
/// not all of it: it refuses raw C1 control characters (which Postgres writes unescaped) and
/// `\uD83D\uDE00` surrogate-pair escapes (which Python's json.dumps writes by default). Strings
/// come out double-quoted (always strings); numbers, `true`, `false` and `null` plain, so the
/// YAML 1.2 core schema types them as before. No recursion: nesting is a checked limit.
public enum JSONComposer {
    public static func compose(_ bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLStream {
        var reader = JSONReader(bytes: bytes, limits: limits)
        do {
            let root = try reader.document()
            return YAMLStream(documents: [YAMLDocument(root: root, start: Mark(line: 1, column: 1), index: 0)], issues: [])
        } catch {
            return YAMLStream(documents: [], issues: [error])
        }
    }

    /// One document that is JSON (read strictly, here) or YAML (read by libyaml): what an API
    /// body or a stored value may be.
    public static func composeJSONOrYAML(_ bytes: [UInt8], limits: YAMLLimits) -> YAMLStream {
        looksLikeJSON(bytes) ? compose(bytes, limits: limits) : Composer.compose(bytes, limits: limits)
    }

    /// Whether `bytes` is meant as JSON: the first character that is not white space opens an
    /// object or an array (YAML flow collections look the same and are read as JSON then).
    public static func looksLikeJSON(_ bytes: [UInt8]) -> Bool {
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): return true
            default: return false
            }
        }
        return false
    }
}

/// The reader behind `JSONComposer`: one pass over the bytes with an explicit stack.
struct JSONReader {
    let bytes: [UInt8]
    let limits: YAMLLimits
    var index = 0
    var line = 1
    var lineStart = 0
    var nodes = 0

    init(bytes: [UInt8], limits: YAMLLimits) {
        self.bytes = bytes
        self.limits = limits
        // A UTF-8 byte order mark is allowed before the text (RFC 8259 8.1 lets a parser ignore it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    var mark: Mark { Mark(line: line, column: index - lineStart + 1) }

    func fail(_ message: String, at mark: Mark? = nil, code: YAMLIssue.Code = .syntax) -> YAMLIssue {
        YAMLIssue(code: code, mark: mark ?? self.mark, message: message, documentIndex: 0)
    }

    /// An open array or object, with what it holds so far.
    struct Open {
        var mark: Mark
        var isObject: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var keys: Set<String> = []
        var pendingKey: YAMLNode?
    }

    mutating func document() throws(YAMLIssue) -> YAMLNode {
        skipSpace()
        guard index < bytes.count else { throw fail("no JSON value") }
        var stack: [Open] = []
        var finished: YAMLNode?
        while finished == nil {
            skipSpace()
            let start = mark
            // Inside an object, a key comes first.
            if var top = stack.last, top.isObject, top.pendingKey == nil {
                if peek == UInt8(ascii: "}"), top.pairs.isEmpty {
                    index += 1
                    finished = try close(&stack)
                    continue
                }
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key in double quotes") }
                let key = try string()
                guard top.keys.insert(key).inserted else {
                    throw fail("duplicate key \"\(key)\" in one object", at: start, code: .duplicateKey)
                }
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after the key \"\(key)\"") }
                index += 1
                top.pendingKey = YAMLNode(value: .scalar(YAMLScalar(text: key, style: .doubleQuoted)), mark: start)
                stack[stack.count - 1] = top
                continue
            }
            if peek == UInt8(ascii: "]"), let top = stack.last, !top.isObject, top.items.isEmpty {
                index += 1
                finished = try close(&stack)
                continue
            }
            // A value.
            let value: YAMLNode
            switch peek {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < limits.maxDepth else {
                    throw fail("nesting deeper than \(limits.maxDepth) levels", code: .limit)
                }
                try count()
                stack.append(Open(mark: start, isObject: peek == UInt8(ascii: "{")))
                index += 1
                continue
            case UInt8(ascii: "\""):
                value = YAMLNode(value: .scalar(YAMLScalar(text: try string(), style: .doubleQuoted)), mark: start)
            case nil:
                throw fail("the text ends where a value should be")
            default:
                value = YAMLNode(value: .scalar(YAMLScalar(text: try literal(), style: .plain)), mark: start)
            }
            try count()
            finished = try attach(value, to: &stack)
        }
        skipSpace()
        guard index == bytes.count else { throw fail("text after the JSON value") }
        return finished!
    }

    /// Adds a finished value to the innermost open container, then closes every container that
    /// ends right after it; the root when nothing is open any more.
    mutating func attach(_ node: YAMLNode, to stack: inout [Open]) throws(YAMLIssue) -> YAMLNode? {
        var node = node
        while true {
            guard var top = stack.popLast() else { return node }
            if top.isObject {
                top.pairs.append(YAMLPair(key: top.pendingKey!, value: node))
                top.pendingKey = nil
            } else {
                top.items.append(node)
            }
            skipSpace()
            let closer = top.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            if peek == UInt8(ascii: ",") {
                index += 1
                stack.append(top)
                return nil
            }
            guard peek != nil else {
                throw fail("the JSON text ends before the \(top.isObject ? "object" : "array") opened at \(top.mark) is closed")
            }
            guard peek == closer else {
                throw fail(
                    "expected ',' or '\(Character(Unicode.Scalar(closer)))' in the \(top.isObject ? "object" : "array") opened at \(top.mark)"
                )
            }
            index += 1
            node =
                top.isObject
                ? YAMLNode(value: .mapping(top.pairs), mark: top.mark) : YAMLNode(value: .sequence(top.items), mark: top.mark)
        }
    }

    /// An empty container just closed: it is a value of its parent.
    mutating func close(_ stack: inout [Open]) throws(YAMLIssue) -> YAMLNode? {
        let top = stack.removeLast()
        let node = top.isObject ? YAMLNode(value: .mapping([]), mark: top.mark) : YAMLNode(value: .sequence([]), mark: top.mark)
        return try attach(node, to: &stack)
    }

    mutating func count() throws(YAMLIssue) {
        nodes += 1
        guard nodes <= limits.maxNodesPerDocument else {
            throw fail("more than \(limits.maxNodesPerDocument) values in one document", code: .limit)
        }
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default: return
            }
        }
    }

    /// `true`, `false`, `null` or a number, kept as written for the core schema to type.
    mutating func literal() throws(YAMLIssue) -> String {
        let start = index
        for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
            index += word.utf8.count
            return word
        }
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, (0x30...0x39).contains(first) else {
            throw fail(
                "expected a value (an object, array, string, number, true, false or null)",
                at: Mark(line: line, column: start - lineStart + 1))
        }
        if first == 0x30 {
            index += 1
        } else {
            digits()
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard digits() else { throw fail("a number needs digits after '.'") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits() else { throw fail("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    @discardableResult
    mutating func digits() -> Bool {
        let start = index
        while let byte = peek, (0x30...0x39).contains(byte) { index += 1 }
        return index > start
    }

    /// A string in double quotes, escapes decoded, surrogate pairs joined.
    mutating func string() throws(YAMLIssue) -> String {
        let start = mark
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = peek else { throw fail("the string opened at \(start) is not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard out.count <= limits.maxScalarBytes else {
                    throw fail(
                        "a string of \(out.count) bytes is over the \(limits.maxScalarBytes)-byte limit for one value", at: start,
                        code: .limit)
                }
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw fail("the string is not valid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard let escape = peek else { throw fail("the string opened at \(start) is not closed") }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out += try unicodeEscape()
                default: throw fail("\\\(Character(Unicode.Scalar(escape))) is not a JSON escape")
                }
            case 0x00...0x1F:
                throw fail("a control character (U+\(hex(UInt32(byte)))) must be escaped inside a string, as \\u\(hex(UInt32(byte)))")
            default:
                out.append(byte)
                index += 1
            }
        }
    }

    /// The character of `\uXXXX`, or of a `\uD8xx\uDCxx` pair; the index is past the `u`.
    mutating func unicodeEscape() throws(YAMLIssue) -> [UInt8] {
        let at = Mark(line: line, column: index - lineStart - 1)
        var value = try hex4()
        if (0xD800...0xDBFF).contains(value) {
            guard bytes[index...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                throw fail("\\u\(hex(value)) is half of a surrogate pair and its low half is missing", at: at)
            }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw fail("\\u\(hex(value)) must be followed by a low surrogate (\\uDC00 to \\uDFFF), not \\u\(hex(low))", at: at)
            }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(value) {
            throw fail("\\u\(hex(value)) is the low half of a surrogate pair without its high half", at: at)
        }
        guard value != 0 else {
            throw fail("\\u0000 (NUL) is not accepted: the database cannot store it in a JSON value", at: at)
        }
        return Array(String(Character(Unicode.Scalar(value)!)).utf8)
    }

    mutating func hex4() throws(YAMLIssue) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("\\u needs four hex digits") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw fail("\\u needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
