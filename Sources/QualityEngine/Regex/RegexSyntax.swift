/// The regular expressions the byte DFA runs: a parse of the common subset of ICU syntax into a
/// tree over bytes. Anything outside the subset throws `Unsupported`, and the caller falls back
/// to NSRegularExpression (ICU, the engine `dpctl validate` checks patterns with).
///
/// Supported: literals (any Unicode), `.`, `[...]` and `[^...]` with ASCII members, ranges and
/// `\d \w \s`, escapes `\d \D \w \W \s \S \t \n \r \f \v \xHH` and escaped punctuation, groups
/// `(...)` and `(?:...)`, `|`, `* + ? {m} {m,} {m,n}` (lazy forms too: for a yes/no match they
/// mean the same), `^` and `$` anywhere. `.`, `\D`, `\W`, `\S` and negated classes match any
/// non-ASCII character. Classes are ASCII-only and case-sensitive, like the defaults of ICU.
indirect enum RegexNode {
    case bytes(ByteSet)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case repeated(RegexNode, min: Int, max: Int?)
    case startAnchor
    case endAnchor
}

struct RegexUnsupported: Error {
    var reason: String
}

struct RegexParser {
    private let scalars: [Unicode.Scalar]
    private var i = 0

    init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    static func parse(_ pattern: String) throws -> RegexNode {
        var parser = RegexParser(pattern)
        let node = try parser.alternation()
        guard parser.i == parser.scalars.count else { throw RegexUnsupported(reason: "unbalanced ')'") }
        return node
    }

    private var atEnd: Bool { i >= scalars.count }
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < scalars.count ? scalars[i + offset] : nil }

    private mutating func alternation() throws -> RegexNode {
        var branches = [try sequence()]
        while peek() == "|" {
            i += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func sequence() throws -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek(), c != "|", c != ")" {
            var atom = try self.atom()
            atom = try quantified(atom)
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func quantified(_ atom: RegexNode) throws -> RegexNode {
        var node = atom
        while let c = peek() {
            var bounds: (Int, Int?)
            switch c {
            case "*":
                bounds = (0, nil)
                i += 1
            case "+":
                bounds = (1, nil)
                i += 1
            case "?":
                bounds = (0, 1)
                i += 1
            case "{":
                guard let parsed = braces() else { return node }  // a literal '{', as in ICU
                bounds = parsed
            default: return node
            }
            if case .startAnchor = node { throw RegexUnsupported(reason: "quantified anchor") }
            if case .endAnchor = node { throw RegexUnsupported(reason: "quantified anchor") }
            if peek() == "?" {
                i += 1
            }  // lazy: same yes/no answer
            else if peek() == "+" {
                throw RegexUnsupported(reason: "possessive quantifier")
            }
            guard bounds.1 == nil || bounds.0 <= bounds.1! else { throw RegexUnsupported(reason: "{m,n} with m > n") }
            guard bounds.0 <= 1000, (bounds.1 ?? 0) <= 1000 else { throw RegexUnsupported(reason: "repetition above 1000") }
            node = .repeated(node, min: bounds.0, max: bounds.1)
        }
        return node
    }

    /// `{m}`, `{m,}`, `{m,n}` at i; nil (nothing consumed) when it is not one.
    private mutating func braces() -> (Int, Int?)? {
        var j = i + 1
        func number() -> Int? {
            var value = 0, digits = 0
            while j < scalars.count, scalars[j].value >= 48, scalars[j].value <= 57 {
                value = min(value * 10 + Int(scalars[j].value - 48), 100_000)
                digits += 1
                j += 1
            }
            return digits > 0 ? value : nil
        }
        guard let low = number() else { return nil }
        var high: Int? = low
        if j < scalars.count && scalars[j] == "," {
            j += 1
            high = number()
        }
        guard j < scalars.count, scalars[j] == "}" else { return nil }
        i = j + 1
        return (low, high)
    }

    private mutating func atom() throws -> RegexNode {
        guard let c = peek() else { throw RegexUnsupported(reason: "unexpected end") }
        i += 1
        switch c {
        case "(":
            if peek() == "?" {
                guard peek(1) == ":" else { throw RegexUnsupported(reason: "(? group") }
                i += 2
            }
            let inner = try alternation()
            guard peek() == ")" else { throw RegexUnsupported(reason: "missing ')'") }
            i += 1
            return inner
        case "[": return try characterClass()
        case ".":
            var ascii = ByteSet(0...127)
            ascii = ByteSet.excluding(ascii, [10, 13])
            return Self.withMultibyte(ascii)
        case "^": return .startAnchor
        case "$": return .endAnchor
        case "\\": return try escape(inClass: false).node
        case "*", "+", "?": throw RegexUnsupported(reason: "nothing to repeat")
        default: return Self.literal(c)
        }
    }

    private static func literal(_ c: Unicode.Scalar) -> RegexNode {
        let bytes = Array(String(c).utf8)
        if bytes.count == 1 { return .bytes(ByteSet(byte: bytes[0])) }
        return .sequence(bytes.map { .bytes(ByteSet(byte: $0)) })
    }

    /// ASCII bytes in `ascii`, or any multi-byte UTF-8 character.
    static func withMultibyte(_ ascii: ByteSet) -> RegexNode {
        let continuation = RegexNode.bytes(ByteSet(0x80...0xBF))
        return .alternation([
            .bytes(ascii),
            .sequence([.bytes(ByteSet(0xC2...0xDF)), continuation]),
            .sequence([.bytes(ByteSet(0xE0...0xEF)), continuation, continuation]),
            .sequence([.bytes(ByteSet(0xF0...0xF4)), continuation, continuation, continuation]),
        ])
    }

    /// An escape after the backslash: a node, and for classes the ASCII set (nil when negated).
    private mutating func escape(inClass: Bool) throws -> (node: RegexNode, set: ByteSet?) {
        guard let c = peek() else { throw RegexUnsupported(reason: "trailing backslash") }
        i += 1
        func plain(_ b: UInt8) -> (RegexNode, ByteSet?) { (.bytes(ByteSet(byte: b)), ByteSet(byte: b)) }
        switch c {
        case "d": return (.bytes(.digits), .digits)
        case "w": return (.bytes(.word), .word)
        case "s": return (.bytes(.space), .space)
        case "D", "W", "S":
            guard !inClass else { throw RegexUnsupported(reason: "negated escape in a class") }
            let base: ByteSet = c == "D" ? .digits : c == "W" ? .word : .space
            return (Self.withMultibyte(base.asciiComplement), nil)
        case "t": return plain(9)
        case "n": return plain(10)
        case "r": return plain(13)
        case "f": return plain(12)
        case "v": return plain(11)
        case "x":
            guard let h = peek(), let l = peek(1), h.isASCII, l.isASCII, let hv = Int(String(h), radix: 16),
                let lv = Int(String(l), radix: 16)
            else { throw RegexUnsupported(reason: "\\x form") }
            let value = hv * 16 + lv
            guard value < 128 else { throw RegexUnsupported(reason: "\\x above 7F") }
            i += 2
            return plain(UInt8(value))
        default:
            // Escaped punctuation is a literal; letters and digits are other features (\b, \p, \1...).
            guard c.isASCII, !c.properties.isAlphabetic, !("0"..."9").contains(c) else {
                throw RegexUnsupported(reason: "escape \\\(c)")
            }
            return plain(UInt8(c.value))
        }
    }

    private mutating func characterClass() throws -> RegexNode {
        var negated = false
        if peek() == "^" {
            negated = true
            i += 1
        }
        var set = ByteSet()
        var first = true
        while true {
            guard let c = peek() else { throw RegexUnsupported(reason: "unterminated class") }
            if c == "]" && !first {
                i += 1
                break
            }
            first = false
            if c == "[" { throw RegexUnsupported(reason: "nested class or POSIX class") }
            var low: UInt8
            if c == "\\" {
                i += 1
                let (_, escaped) = try escape(inClass: true)
                guard let escaped else { throw RegexUnsupported(reason: "escape in class") }
                if escaped.words.0.nonzeroBitCount + escaped.words.1.nonzeroBitCount != 1 {
                    set.formUnion(escaped)  // \d \w \s: no ranges from these
                    continue
                }
                low = UInt8(truncatingIfNeeded: (0..<128).first { escaped.contains(UInt8($0)) } ?? 0)
            } else {
                guard c.isASCII else { throw RegexUnsupported(reason: "non-ASCII class member") }
                i += 1
                low = UInt8(c.value)
            }
            if peek() == "-", let next = peek(1), next != "]" {
                i += 1
                var high: UInt8
                if next == "\\" {
                    i += 1
                    let (_, escaped) = try escape(inClass: true)
                    guard let escaped, escaped.words.0.nonzeroBitCount + escaped.words.1.nonzeroBitCount == 1 else {
                        throw RegexUnsupported(reason: "range to a class escape")
                    }
                    high = UInt8(truncatingIfNeeded: (0..<128).first { escaped.contains(UInt8($0)) } ?? 0)
                } else {
                    guard next.isASCII else { throw RegexUnsupported(reason: "non-ASCII class member") }
                    i += 1
                    high = UInt8(next.value)
                }
                guard low <= high else { throw RegexUnsupported(reason: "reversed range") }
                set.formUnion(ByteSet(low...high))
            } else {
                set.insert(low)
            }
        }
        return negated ? Self.withMultibyte(set.asciiComplement) : .bytes(set)
    }
}

extension ByteSet {
    static func excluding(_ set: ByteSet, _ bytes: [UInt8]) -> ByteSet {
        var result = ByteSet()
        for b in UInt8(0)...255 where set.contains(b) && !bytes.contains(b) { result.insert(b) }
        return result
    }
}
