/// Implicit typing of plain scalars by the YAML 1.2 core schema, the schema editors
/// (and the JSON Schemas this project generates) assume. `yes`/`no`/`on`/`off` are strings.
public enum ImplicitScalar: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)

    public static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// Resolves a scalar: quoted and block scalars are strings; explicit tags win.
    public static func resolve(_ scalar: YAMLScalar, tag: String?) -> ImplicitScalar {
        let text = scalar.text
        if let tag {
            switch tag {
            case YAMLTag.str: return .string(text)
            case YAMLTag.null: return .null
            case YAMLTag.bool: return parseBool(text).map(ImplicitScalar.bool) ?? .string(text)
            case YAMLTag.int: return parseInt(text).map(ImplicitScalar.int) ?? .string(text)
            case YAMLTag.float:
                return parseFloat(text).map(ImplicitScalar.float)
                    ?? parseInt(text).map { .float(Double($0)) } ?? .string(text)
            default: return .string(text)
            }
        }
        guard scalar.style == .plain else { return .string(text) }
        if isNull(text) { return .null }
        guard let first = text.utf8.first else { return .string(text) }
        // Fast path: most plain scalars are words, which can't be anything but strings.
        switch first {
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return parseBool(text).map(ImplicitScalar.bool) ?? .string(text)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
            UInt8(ascii: "."):
            if let i = parseInt(text) { return .int(i) }
            if let d = parseFloat(text) { return .float(d) }
            return .string(text)
        default:
            return .string(text)
        }
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func parseInt(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return nil }
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0") {
            switch utf8[1] {
            case UInt8(ascii: "x"): return Int64(text.dropFirst(2), radix: 16)
            case UInt8(ascii: "o"): return Int64(text.dropFirst(2), radix: 8)
            default: break
            }
        }
        var digits = utf8[...]
        if digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(text)
    }

    static func parseFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var sawDigit = false
        var sawExponent = false
        var previous: UInt8 = 0
        for (i, c) in text.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard i == 0 || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else {
                    return nil
                }
            case UInt8(ascii: "."):
                guard !sawExponent else { return nil }
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard sawDigit, !sawExponent else { return nil }
                sawExponent = true
            default: return nil
            }
            previous = c
        }
        guard sawDigit else { return nil }
        return Double(text)
    }
}
