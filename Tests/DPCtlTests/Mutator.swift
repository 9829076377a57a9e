import Foundation
import Manifests
import TestSupport

/// Seeded changes to one manifest for SchemaAgreementTests: nulls, removed fields, values of the
/// wrong type or at the edge of a format, unknown and model fields added, list items and map
/// keys added, strings edited. Each change returns a line saying what it did.
struct Mutator {
    enum Step: Hashable {
        case key(String)
        case index(Int)
    }

    var body: JSONValue

    /// Fields whose values carry the rules under test; paths ending in them are picked more often.
    static let interesting: Set<String> = [
        "threshold", "values", "params", "labels", "annotations", "source", "url", "sha256", "min", "max", "name",
        "maxAge", "digest", "commit", "columns", "checks",
    ]

    /// Field names added to mappings: the model's own (in and out of place) and unknown ones.
    static let fieldNames = [
        "url", "sha256", "path", "min", "max", "threshold", "name", "column", "values", "severity", "description",
        "labels", "annotations", "params", "execute", "nmae", "extra", "Spec", "status",
    ]

    static let labelKeys = [
        "team", "example.com/team", "Example.com/team", "a/b/c", "/x", "x/", "-x", "x_y", "x.y", "", "é", "a b",
        String(repeating: "k", count: 63), String(repeating: "k", count: 64),
        String(repeating: "p", count: 253) + "/x", String(repeating: "p", count: 254) + "/x",
        String(repeating: "p", count: 60) + "." + String(repeating: "q", count: 60) + "/x",
    ]

    static let hex64 = String(repeating: "ab", count: 32)
    static let values: [JSONValue] = [
        .null, "", " ", "x", "churn", "Churn", "a b", "x\n", "\tx", "0.5%", "100%", "100.0%", "100.01%", "150%", "0099%", "5%",
        "-1%", ".5%", "abc", "https://example.com/a.csv", "http://x", "ftp://x", "https:// x", "../data/churn-2026-09.csv",
        "/etc/passwd", "data/none.csv", "36h", "1.5h", .string(hex64), .string("sha256:" + hex64), .string(String(hex64.prefix(40))),
        "true", "é", "(", "^[a-z]+$", .string(String(repeating: "a", count: 300)), 0, 1, -1, .double(2.5), .double(-0.5), 600,
        1_000_000, true, false, [], ["x"], [1], [.null], [[:]], [true, .double(1.5), "x"], [:], ["column": "email"],
        ["min": 5, "max": 1], ["url": "https://example.com/d.csv"], ["path": "../data/churn-2026-09.csv"],
    ]

    /// Values for `min` and `max`: in order, out of order, at the edges.
    static let bounds: [JSONValue] = [0, 1, .double(0.5), 599, 600, 601, 100_000_000_000, -1]

    mutating func mutate(using random: inout SeededRandom) -> String {
        var paths: [[Step]] = [[]]
        collect(body, [], into: &paths)
        let favoured = paths.filter { if case .key(let k) = $0.last { Self.interesting.contains(k) } else { false } }
        let pool = Bool.random(using: &random) && !favoured.isEmpty ? favoured : paths
        let path = pool[Int.random(in: 0..<pool.count, using: &random)]
        let node = body[path]!
        let at = path.isEmpty ? "(top)" : Self.dotted(path)
        let pick = { (random: inout SeededRandom) in Self.values[Int.random(in: 0..<Self.values.count, using: &random)] }

        if path.isEmpty {  // only additions at the top: a document that is not a mapping is another matter
            let key = ["status", "extra", "spec", "metadata"][Int.random(in: 0..<4, using: &random)]
            let value = pick(&random)
            body = body.setting([.key(key)], to: value)
            return "\(key) = \(value.jsonString())"
        }
        if case .key(let k) = path.last, k == "min" || k == "max", Bool.random(using: &random) {
            let value = Self.bounds[Int.random(in: 0..<Self.bounds.count, using: &random)]
            body = body.setting(path, to: value)
            return "\(at) = \(value.jsonString())"
        }
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            body = body.setting(path, to: .null)
            return "\(at) = null"
        case 1:
            body = body.removing(path)
            return "removed \(at)"
        case 2, 3:
            let value = pick(&random)
            body = body.setting(path, to: value)
            return "\(at) = \(value.jsonString())"
        case 4, 5:
            switch node {
            case .object:
                let isMap = { if case .key(let k) = path.last { ["labels", "annotations", "params"].contains(k) } else { false } }()
                let keys = isMap ? Self.labelKeys : Self.fieldNames
                let key = keys[Int.random(in: 0..<keys.count, using: &random)]
                let value = pick(&random)
                body = body.setting(path + [.key(key)], to: value)
                return "\(at).\(key) = \(value.jsonString())"
            case .array(let items):
                let value = items.isEmpty || Bool.random(using: &random) ? pick(&random) : items[0]
                body = body.setting(path, to: .array(items + [value]))
                return "\(at) += \(value.jsonString())"
            default:
                let value = pick(&random)
                body = body.setting(path, to: value)
                return "\(at) = \(value.jsonString())"
            }
        case 6, 7:
            guard case .string(let s) = node else {
                body = body.setting(path, to: .array([]))
                return "\(at) = []"
            }
            let edits: [(String, String)] = [
                (s + "\n", "newline appended"), (" " + s, "space prepended"), (s.uppercased(), "upper-cased"),
                (String(repeating: s.isEmpty ? "a" : s, count: 2100 / max(s.count, 1) + 1), "repeated past 2048 characters"),
                (s + "%", "% appended"), (s + "é", "é appended"), (String(s.dropLast()), "last character dropped"),
            ]
            let (edited, what) = edits[Int.random(in: 0..<edits.count, using: &random)]
            body = body.setting(path, to: .string(edited))
            return "\(at): \(what)"
        case 8:
            if case .array(let items) = node, !items.isEmpty, Bool.random(using: &random) {
                body = body.setting(path, to: .array(items + [items[items.count - 1]]))
                return "\(at): last item repeated"
            }
            body = body.setting(path, to: [:])
            return "\(at) = {}"
        default:
            // A value from elsewhere in the same manifest: plausible, often of the wrong kind.
            let other = paths[Int.random(in: 0..<paths.count, using: &random)]
            let value = body[other]!
            body = body.setting(path, to: value)
            return "\(at) = value of \(other.isEmpty ? "(top)" : Self.dotted(other))"
        }
    }

    func collect(_ value: JSONValue, _ path: [Step], into paths: inout [[Step]]) {
        switch value {
        case .object(let members):
            for member in members {
                paths.append(path + [.key(member.key)])
                collect(member.value, path + [.key(member.key)], into: &paths)
            }
        case .array(let items):
            for (i, item) in items.enumerated() {
                paths.append(path + [.index(i)])
                collect(item, path + [.index(i)], into: &paths)
            }
        default: break
        }
    }

    static func dotted(_ path: [Step]) -> String {
        var out = ""
        for step in path {
            switch step {
            case .key(let k): out += out.isEmpty ? k : "." + k
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}

extension JSONValue {
    subscript(path: [Mutator.Step]) -> JSONValue? {
        var node: JSONValue? = self
        for step in path {
            switch step {
            case .key(let k): node = node?[k]
            case .index(let i): node = node?[i]
            }
        }
        return node
    }

    /// The value with the node at `path` set; a missing object member is added.
    func setting(_ path: [Mutator.Step], to value: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(var members), .key(let k)):
            if let i = members.firstIndex(where: { $0.key == k }) {
                members[i].value = members[i].value.setting(rest, to: value)
            } else {
                members.append(JSONMember(k, JSONValue.object([]).setting(rest, to: value)))
            }
            return .object(members)
        case (.array(var items), .index(let i)) where items.indices.contains(i):
            items[i] = items[i].setting(rest, to: value)
            return .array(items)
        default:
            return self
        }
    }

    /// The value without the node at `path` (an object member or a list item).
    func removing(_ path: [Mutator.Step]) -> JSONValue {
        guard let first = path.first else { return self }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(var members), .key(let k)):
            guard let i = members.firstIndex(where: { $0.key == k }) else { return self }
            if rest.isEmpty { members.remove(at: i) } else { members[i].value = members[i].value.removing(rest) }
            return .object(members)
        case (.array(var items), .index(let i)) where items.indices.contains(i):
            if rest.isEmpty { items.remove(at: i) } else { items[i] = items[i].removing(rest) }
            return .array(items)
        default:
            return self
        }
    }
}
