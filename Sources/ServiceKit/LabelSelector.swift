import Hummingbird

/// A Kubernetes-style equality selector: `team=growth,tier!=gold,pii,!deprecated`, turned into
/// parameterised SQL over a `labels jsonb` column.
public struct LabelSelector: Sendable, Hashable {
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
    }

    public var requirements: [Requirement]

    public init(parsing text: String) throws {
        requirements = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: true) {
            let part = raw.trimmingCharacters(in: .spacesAndTabs)
            if let range = part.range(of: "!=") {
                requirements.append(.notEquals(try Self.key(part[..<range.lowerBound], text), String(part[range.upperBound...])))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(try Self.key(part[..<range.lowerBound], text), String(part[range.upperBound...])))
            } else if part.hasPrefix("!") {
                requirements.append(.notExists(try Self.key(part.dropFirst(), text)))
            } else {
                requirements.append(.exists(try Self.key(Substring(part), text)))
            }
        }
    }

    static func key(_ raw: Substring, _ text: String) throws -> String {
        let key = raw.trimmingCharacters(in: .spacesAndTabs)
        guard !key.isEmpty, !key.contains(where: { " ()!=".contains($0) }) else {
            throw Problem(.badRequest, title: "Bad label selector",
                          detail: "cannot read \"\(text)\"; write requirements like team=growth,tier!=gold,pii,!deprecated")
        }
        return key
    }

    /// SQL conditions over `column`, with their parameters numbered from `firstParameter`.
    public func sql(column: String, firstParameter: Int) -> (conditions: [String], parameters: [String]) {
        var conditions: [String] = []
        var parameters: [String] = []
        func p(_ value: String) -> String {
            parameters.append(value)
            return "$\(firstParameter + parameters.count - 1)"
        }
        for requirement in requirements {
            switch requirement {
            case .equals(let k, let v): conditions.append("\(column)->>\(p(k)) = \(p(v))")
            case .notEquals(let k, let v): conditions.append("coalesce(\(column)->>\(p(k)) <> \(p(v)), true)")
            case .exists(let k): conditions.append("\(column) ? \(p(k))")
            case .notExists(let k): conditions.append("not (\(column) ? \(p(k)))")
            }
        }
        return (conditions, parameters)
    }
}

extension Request {
    public var labelSelector: LabelSelector? {
        get throws {
            guard let text = uri.queryParameters["label_selector"], !text.isEmpty else { return nil }
            return try LabelSelector(parsing: String(text))
        }
    }
}
