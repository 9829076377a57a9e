import Manifests

/// The one ignore model that diff, apply and drift share: JSON pointers into the comparable
/// form, listed in an object's `datapilot.io/ignore-differences` annotation (separated by
/// commas or new lines). An ignored field never shows as a difference, and an apply that
/// changes something else keeps the live value of an ignored field instead of overwriting it.
public struct IgnoreRules: Sendable, Hashable {
    public static let annotation = "datapilot.io/ignore-differences"

    public var pointers: [[String]]

    public init(pointers: [[String]]) { self.pointers = pointers }

    /// The rules a manifest declares; a pointer that is not a JSON pointer is an error naming it.
    public static func of(_ manifest: Manifest) -> Result<IgnoreRules, IgnoreRulesError> {
        parse(manifest.annotations[annotation] ?? "")
    }

    public static func parse(_ text: String) -> Result<IgnoreRules, IgnoreRulesError> {
        var pointers: [[String]] = []
        for raw in text.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let pointer = raw.trimmingCharacters(in: .whitespaces)
            if pointer.isEmpty { continue }
            guard pointer.hasPrefix("/") else {
                return .failure(IgnoreRulesError(pointer: pointer, reason: "a JSON pointer starts with /, e.g. /spec/description"))
            }
            let tokens = pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            guard let first = tokens.first, first == "spec" || first == "metadata" else {
                return .failure(IgnoreRulesError(pointer: pointer, reason: "only fields under /spec or /metadata can be ignored"))
            }
            guard tokens != ["metadata", "name"], tokens != ["metadata"] else {
                return .failure(IgnoreRulesError(pointer: pointer, reason: "an object's name cannot be ignored"))
            }
            pointers.append(tokens)
        }
        return .success(IgnoreRules(pointers: pointers))
    }

    public var isEmpty: Bool { pointers.isEmpty }

    /// `value` without the ignored fields.
    public func strip(_ value: JSONValue) -> JSONValue {
        pointers.reduce(value) { Self.removing($1[...], from: $0) }
    }

    /// The body to send: `desired`, except that every ignored field has its live value (or is
    /// left out when the live object has none).
    public func keepingLive(_ desired: JSONValue, live: JSONValue?) -> JSONValue {
        pointers.reduce(desired) { body, pointer in
            let stripped = Self.removing(pointer[...], from: body)
            guard let live, let value = Self.value(at: pointer[...], in: live) else { return stripped }
            return Self.setting(pointer[...], to: value, in: stripped)
        }
    }

    static func value(at pointer: ArraySlice<String>, in value: JSONValue) -> JSONValue? {
        guard let head = pointer.first else { return value }
        switch value {
        case .object: return value[head].flatMap { Self.value(at: pointer.dropFirst(), in: $0) }
        case .array(let items):
            return Int(head).flatMap { items.indices.contains($0) ? Self.value(at: pointer.dropFirst(), in: items[$0]) : nil }
        default: return nil
        }
    }

    static func removing(_ pointer: ArraySlice<String>, from value: JSONValue) -> JSONValue {
        guard let head = pointer.first else { return value }
        switch value {
        case .object(var members):
            guard let index = members.firstIndex(where: { $0.key == head }) else { return value }
            if pointer.count == 1 {
                members.remove(at: index)
            } else {
                members[index].value = removing(pointer.dropFirst(), from: members[index].value)
            }
            return .object(members)
        case .array(var items):
            guard let index = Int(head), items.indices.contains(index) else { return value }
            if pointer.count == 1 { items.remove(at: index) } else { items[index] = removing(pointer.dropFirst(), from: items[index]) }
            return .array(items)
        default:
            return value
        }
    }

    static func setting(_ pointer: ArraySlice<String>, to newValue: JSONValue, in value: JSONValue) -> JSONValue {
        guard let head = pointer.first else { return newValue }
        switch value {
        case .object(var members):
            if let index = members.firstIndex(where: { $0.key == head }) {
                members[index].value = setting(pointer.dropFirst(), to: newValue, in: members[index].value)
            } else if pointer.count == 1 {
                members.append(JSONMember(head, newValue))
            } else {
                members.append(JSONMember(head, setting(pointer.dropFirst(), to: newValue, in: .object([]))))
            }
            return .object(members)
        case .array(var items):
            guard let index = Int(head), index <= items.count else { return value }
            if index == items.count {
                items.append(setting(pointer.dropFirst(), to: newValue, in: .object([])))
            } else {
                items[index] = setting(pointer.dropFirst(), to: newValue, in: items[index])
            }
            return .array(items)
        default:
            return value
        }
    }
}

public struct IgnoreRulesError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pointer: String
    public var reason: String
    public var description: String { "\(IgnoreRules.annotation): \"\(pointer)\": \(reason)" }
}
