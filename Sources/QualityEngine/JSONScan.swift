/// A JSON object scanner over bytes: finds each member's key and value extents without building
/// values. Strict JSON (RFC 8259) except that it does not validate UTF-8 (the reader does).
enum JSONScan {
    enum Kind { case string, number, bool, null, nested }

    struct Member {
        /// Key bytes between the quotes.
        var keyStart: Int
        var keyEnd: Int
        var keyEscaped: Bool
        var kind: Kind
        /// The value as written (strings with their quotes).
        var valueStart: Int
        var valueEnd: Int
        var valueEscaped: Bool
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// Scans one object spanning exactly [from, to) (surrounding whitespace allowed); calls
    /// `member` for each member in order. Returns what is wrong, or nil.
    static func object(_ p: UnsafePointer<UInt8>, from: Int, to end: Int, _ member: (Member) -> Void) -> String? {
        var i = from
        func skip() { while i < end && isSpace(p[i]) { i += 1 } }
        skip()
        guard i < end, p[i] == 0x7B else { return "it does not start with '{'" }
        i += 1
        skip()
        if i < end && p[i] == 0x7D {
            i += 1
            skip()
            return i == end ? nil : "text after the object"
        }
        while true {
            skip()
            guard i < end, p[i] == 0x22 else { return "expected a key at byte \(i - from + 1)" }
            guard let (keyEnd, keyEscaped) = string(p, i, end) else { return "unterminated string at byte \(i - from + 1)" }
            let keyStart = i + 1
            i = keyEnd
            skip()
            guard i < end, p[i] == 0x3A else { return "expected ':' at byte \(i - from + 1)" }
            i += 1
            skip()
            guard i < end else { return "missing value" }
            let valueStart = i
            var kind = Kind.string
            var escaped = false
            switch p[i] {
            case 0x22:
                guard let (e, esc) = string(p, i, end) else { return "unterminated string at byte \(i - from + 1)" }
                i = e
                escaped = esc
            case 0x7B, 0x5B:
                guard let e = nested(p, i, end) else { return "unbalanced brackets at byte \(i - from + 1)" }
                i = e
                kind = .nested
            case 0x74, 0x66, 0x6E:
                let word: [UInt8] = p[i] == 0x74 ? Array("true".utf8) : p[i] == 0x66 ? Array("false".utf8) : Array("null".utf8)
                guard end - i >= word.count, (0..<word.count).allSatisfy({ p[i + $0] == word[$0] }) else {
                    return "invalid literal at byte \(i - from + 1)"
                }
                i += word.count
                kind = word.count == 4 && word[0] == 0x6E ? .null : .bool
            default:
                while i < end, isNumberByte(p[i]) { i += 1 }
                guard i > valueStart, isJSONNumber(p + valueStart, i - valueStart) else {
                    return "invalid value at byte \(valueStart - from + 1)"
                }
                kind = .number
            }
            member(
                Member(
                    keyStart: keyStart, keyEnd: keyEnd - 1, keyEscaped: keyEscaped, kind: kind,
                    valueStart: valueStart, valueEnd: i, valueEscaped: escaped))
            skip()
            guard i < end else { return "the object is not closed" }
            if p[i] == 0x2C {
                i += 1
                continue
            }
            guard p[i] == 0x7D else { return "expected ',' or '}' at byte \(i - from + 1)" }
            i += 1
            skip()
            return i == end ? nil : "text after the object"
        }
    }

    @inline(__always)
    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45
    }

    /// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    static func isJSONNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        func digits() -> Int {
            let s = i
            while i < n, p[i] &- 0x30 < 10 { i += 1 }
            return i - s
        }
        if i < n && p[i] == 0x2D { i += 1 }
        guard i < n else { return false }
        if p[i] == 0x30 { i += 1 } else if digits() == 0 { return false }
        if i < n && p[i] == 0x2E {
            i += 1
            if digits() == 0 { return false }
        }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            if i < n && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
            if digits() == 0 { return false }
        }
        return i == n
    }

    /// The index after the closing quote of the string starting at `start`, and whether it has escapes.
    private static func string(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Bool)? {
        var i = start + 1
        var escaped = false
        while i < end {
            let b = p[i]
            if b == 0x22 { return (i + 1, escaped) }
            if b == 0x5C {
                escaped = true
                i += 2
                continue
            }
            if b < 0x20 { return nil }  // control characters must be escaped
            i += 1
        }
        return nil
    }

    /// The index after the bracket closing the object or array starting at `start`.
    private static func nested(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var depth = 0
        var i = start
        while i < end {
            let b = p[i]
            if b == 0x22 {
                guard let (e, _) = string(p, i, end) else { return nil }
                i = e
                continue
            }
            if b == 0x7B || b == 0x5B { depth += 1 }
            if b == 0x7D || b == 0x5D {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    /// Decodes the escapes of string content [start, end) into `out` (room for end - start
    /// bytes); the number of bytes written, or nil for a bad escape or a lone surrogate.
    static func unescape(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: UnsafeMutablePointer<UInt8>) -> Int? {
        var i = start, k = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= end else { return nil }
            var v: UInt32 = 0
            for j in at..<(at + 4) {
                let c = p[j]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x61...0x66: d = c - 0x61 + 10
                case 0x41...0x46: d = c - 0x41 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < end {
            let b = p[i]
            guard b == 0x5C else {
                out[k] = b
                k += 1
                i += 1
                continue
            }
            guard i + 1 < end else { return nil }
            let e = p[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out[k] = e
            case 0x62: out[k] = 0x08
            case 0x66: out[k] = 0x0C
            case 0x6E: out[k] = 0x0A
            case 0x72: out[k] = 0x0D
            case 0x74: out[k] = 0x09
            case 0x75:
                guard var scalar = hex4(i) else { return nil }
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 6 <= end, p[i] == 0x5C, p[i + 1] == 0x75, let low = hex4(i + 2), low >= 0xDC00, low < 0xE000 else {
                        return nil
                    }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar), let encoded = UTF8.encode(unicode) else { return nil }
                for byte in encoded {
                    out[k] = byte
                    k += 1
                }
                continue
            default: return nil
            }
            k += 1
        }
        return k
    }
}
