import YAML

/// Writes a `JSONValue` as block-style YAML, in written order. Strings are left plain only when
/// a YAML 1.1 or 1.2 reader would read them back as the same string; otherwise double-quoted.
public enum YAMLEmitter {
    public static func emit(_ value: JSONValue) -> String {
        var out = ""
        switch value {
        case .object(let members) where !members.isEmpty: writeMembers(members, indent: 0, to: &out)
        case .array(let items) where !items.isEmpty: writeItems(items, indent: 0, to: &out)
        default: out = scalar(value) + "\n"
        }
        return out
    }

    static func writeMembers(_ members: [JSONMember], indent: Int, to out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for member in members {
            out += pad + key(member.key) + ":"
            switch member.value {
            case .object(let nested) where !nested.isEmpty:
                out += "\n"
                writeMembers(nested, indent: indent + 2, to: &out)
            case .array(let items) where !items.isEmpty:
                out += "\n"
                writeItems(items, indent: indent, to: &out)
            default:
                out += " " + scalar(member.value) + "\n"
            }
        }
    }

    static func writeItems(_ items: [JSONValue], indent: Int, to out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .object(let members) where !members.isEmpty:
                var nested = ""
                writeMembers(members, indent: indent + 2, to: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            case .array(let inner) where !inner.isEmpty:
                out += pad + "-\n"
                writeItems(inner, indent: indent + 2, to: &out)
            default:
                out += pad + "- " + scalar(item) + "\n"
            }
        }
    }

    static func key(_ k: String) -> String { isPlainSafe(k) ? k : quoted(k) }

    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return isPlainSafe(s) ? s : quoted(s)
        case .object: return "{}"
        case .array: return "[]"
        default: return value.jsonString()
        }
    }

    static func quoted(_ s: String) -> String { JSONValue.string(s).jsonString() }

    static let yaml11Words: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        guard ImplicitScalar.resolve(YAMLScalar(text: s, style: .plain), tag: nil) == .string(s),
            !yaml11Words.contains(s)
        else { return false }
        if " -?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) || last == " " { return false }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return false }
        return s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }
}
