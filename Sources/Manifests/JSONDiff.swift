/// A field-level difference between two JSON values, as JSON pointers: what the audit log
/// records for every update, and what diff and drift reports are made of.
public struct JSONChange: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable {
        case add, remove, replace
    }

    public var operation: Operation
    public var path: String
    public var old: JSONValue?
    public var new: JSONValue?

    public var json: JSONValue {
        var members = [JSONMember("op", .string(operation.rawValue)), JSONMember("path", .string(path))]
        if let old { members.append(JSONMember("old", old)) }
        if let new { members.append(JSONMember("new", new)) }
        return .object(members)
    }
}

public enum JSONDiff {
    /// The changes that turn `old` into `new`: objects compared member by member, arrays and
    /// scalars as wholes when they differ.
    public static func changes(from old: JSONValue?, to new: JSONValue?, path: String = "") -> [JSONChange] {
        switch (old, new) {
        case (nil, nil): return []
        case (nil, let new?): return [JSONChange(operation: .add, path: path, old: nil, new: new)]
        case (let old?, nil): return [JSONChange(operation: .remove, path: path, old: old, new: nil)]
        case (.object(let a)?, .object(let b)?):
            var out: [JSONChange] = []
            let keys = a.map(\.key) + b.map(\.key).filter { key in !a.contains { $0.key == key } }
            for key in keys {
                let escaped = key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                out += changes(from: old?[key], to: new?[key], path: path + "/" + escaped)
            }
            return out
        case (let old?, let new?):
            return old == new ? [] : [JSONChange(operation: .replace, path: path, old: old, new: new)]
        }
    }
}
