/// A JSON value whose objects keep the order they were written in. The manifest model is held
/// in this form; `canonicalJSON` sorts keys so that equal content always has equal bytes.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [JSONMember]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A number as a Double, for ints and doubles alike.
    public var numberValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { JSONMember($0.0, $0.1) })
    }
}

// MARK: - Serialisation

extension JSONValue {
    /// Canonical bytes, RFC 8785 (JCS), what digests and signatures cover: UTF-8, object keys
    /// sorted by their UTF-16 code units, no insignificant whitespace, numbers as ECMAScript
    /// writes them, strings escaped only where JSON must. Integers are written exactly (JCS reads
    /// every number as a double; this model keeps 64-bit integers, identical below 2^53).
    public var canonicalJSON: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out, sorted: true, indent: nil, level: 0)
        return out
    }

    /// The canonical form before RFC 8785, kept only to verify audit entries hashed with it:
    /// keys sorted by UTF-8 bytes, `\b` and `\f` as `\u0008` and `\u000c`, doubles in Swift's
    /// notation (`1e-07`) unless integral below 2^53.
    public var legacyCanonicalJSON: [UInt8] {
        var out: [UInt8] = []
        write(to: &out, sorted: true, indent: nil, level: 0, legacy: true)
        return out
    }

    /// JSON text in written order; `pretty` indents by two spaces.
    public func jsonString(pretty: Bool = false) -> String {
        var out: [UInt8] = []
        write(to: &out, sorted: false, indent: pretty ? 2 : nil, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8], sorted: Bool, indent: Int?, level: Int, legacy: Bool = false) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: (legacy ? JSONValue.legacyFormat(d) : JSONValue.format(d)).utf8)
        case .string(let s): JSONValue.writeString(s, to: &out, legacy: legacy)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.newline(&out, indent, level + 1)
                item.write(to: &out, sorted: sorted, indent: indent, level: level + 1, legacy: legacy)
            }
            if !items.isEmpty { JSONValue.newline(&out, indent, level) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            let ordered =
                !sorted
                ? members
                : legacy
                    ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                    : members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            out.append(UInt8(ascii: "{"))
            for (i, member) in ordered.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.newline(&out, indent, level + 1)
                JSONValue.writeString(member.key, to: &out, legacy: legacy)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                member.value.write(to: &out, sorted: sorted, indent: indent, level: level + 1, legacy: legacy)
            }
            if !members.isEmpty { JSONValue.newline(&out, indent, level) }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func newline(_ out: inout [UInt8], _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    static func format(_ d: Double) -> String {
        CanonicalNumber.format(d) ?? "null"  // JSON has no NaN or infinity
    }

    static func legacyFormat(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "null" }
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return String(Int64(d)) }
        return "\(d)"
    }

    static func writeString(_ s: String, to out: inout [UInt8], legacy: Bool = false) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0x08 where !legacy: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 0x0C where !legacy: out.append(contentsOf: [92, UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
