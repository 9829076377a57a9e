import Foundation
import Manifests

/// `order_by` as MLflow writes it: `metrics.loss DESC`, `attributes.start_time`, `params.lr ASC`.
/// Things without the value sort last either way; ties keep the search's own order.
struct MLflowOrder: Sendable {
    struct Key: Sendable {
        var entity: RunFilter.Entity
        var key: String
        var ascending: Bool
    }

    var keys: [Key]

    init(_ items: [JSONValue], attributes: Set<String>) throws {
        keys = try items.enumerated().map { index, item in
            guard let text = item.stringValue else { throw MLflowRequest.type("order_by[\(index)]", "a string", item) }
            var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            var ascending = true
            if let last = words.last?.uppercased(), ["ASC", "DESC"].contains(last), words.count > 1 {
                ascending = last == "ASC"
                words.removeLast()
            }
            let column = words.joined(separator: " ")
            let bad = MLflowError.invalid(
                "Invalid order_by clause '\(text)': expected <entity>.<key> [ASC|DESC], e.g. 'metrics.loss DESC' or 'attributes.start_time'"
            )
            var entity = RunFilter.Entity.attribute
            var key = column
            if let dot = column.firstIndex(of: ".") {
                switch column[..<dot].lowercased() {
                case "metrics", "metric": entity = .metric
                case "params", "param": entity = .param
                case "tags", "tag": entity = .tag
                case "attributes", "attribute", "attr", "run": entity = .attribute
                default: throw bad
                }
                key = String(column[column.index(after: dot)...])
                if key.count >= 2, let first = key.first, first == "`" || first == "\"", key.last == first {
                    key = String(key.dropFirst().dropLast())
                }
            }
            guard !key.isEmpty else { throw bad }
            if entity == .attribute {
                key = key.lowercased()
                guard attributes.contains(key) else {
                    throw MLflowError.invalid(
                        "Invalid order_by clause '\(text)': unknown attribute '\(key)' (known: \(attributes.sorted().joined(separator: ", ")))"
                    )
                }
            }
            return Key(entity: entity, key: key, ascending: ascending)
        }
    }

    /// `items` in this order; `value` reads a key of an item, `tieBreak` orders equals.
    func sort<T>(_ items: [T], tieBreak: (T, T) -> Bool, value: (T, Key) -> RunFilter.Value) -> [T] {
        items.sorted { a, b in
            for key in keys {
                let (x, y) = (value(a, key), value(b, key))
                if x == y { continue }
                switch (x, y) {
                case (.missing, _): return false
                case (_, .missing): return true
                case (.number(let p), .number(let q)): return key.ascending ? p < q : p > q
                case (.text(let p), .text(let q)): return key.ascending ? p < q : p > q
                default: continue
                }
            }
            return tieBreak(a, b)
        }
    }
}

/// MLflow's page tokens: opaque to the client, an offset into the ordered results here.
enum MLflowPage {
    static func token(_ offset: Int) -> String { Data("offset:\(offset)".utf8).base64EncodedString() }

    static func offset(_ token: String?) throws -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("offset:"),
            let offset = Int(text.dropFirst(7)), offset >= 0
        else {
            throw MLflowError.invalid("Invalid page token '\(token.prefix(64))': it is not one this server issued; search again without it")
        }
        return offset
    }
}
