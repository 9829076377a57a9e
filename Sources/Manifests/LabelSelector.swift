import Foundation

/// A Kubernetes-style equality selector, `team=growth,tier!=gold,pii,!deprecated`: parsed once
/// here for the server (which turns it into SQL) and for dpctl (which can match objects itself).
public struct LabelSelector: Sendable, Hashable {
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var description: String {
            "cannot read the label selector \"\(text)\"; write requirements like team=growth,tier!=gold,pii,!deprecated"
        }
    }

    public var requirements: [Requirement]

    public init(parsing text: String) throws(ParseError) {
        requirements = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: true) {
            let part = raw.trimmingCharacters(in: .whitespaces)
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

    static func key(_ raw: Substring, _ text: String) throws(ParseError) -> String {
        let key = raw.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !key.contains(where: { " ()!=".contains($0) }) else { throw ParseError(text: text) }
        return key
    }

    /// Whether an object with these labels (a JSON object of strings) is selected.
    public func matches(_ labels: JSONValue?) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels?[key]?.stringValue == value
            case .notEquals(let key, let value): return labels?[key]?.stringValue != value
            case .exists(let key): return labels?[key] != nil
            case .notExists(let key): return labels?[key] == nil
            }
        }
    }
}
