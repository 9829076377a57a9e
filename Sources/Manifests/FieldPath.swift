/// A path to a field inside a document, built while walking and rendered only when needed.
public struct FieldPath: Sendable, Hashable {
    public enum Element: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public private(set) var elements: [Element] = []

    public init(_ elements: [Element] = []) { self.elements = elements }

    public mutating func push(_ element: Element) { elements.append(element) }
    public mutating func pop() { elements.removeLast() }

    public func appending(_ element: Element) -> FieldPath {
        var copy = self
        copy.push(element)
        return copy
    }

    /// `spec.checks[2].range.min`
    public var dotted: String {
        var out = ""
        for element in elements {
            switch element {
            case .key(let k):
                if !out.isEmpty { out += "." }
                out += k
            case .index(let i):
                out += "[\(i)]"
            }
        }
        return out
    }

    /// RFC 6901 JSON pointer: `/spec/checks/2/range/min`
    public var pointer: String {
        elements.map { element -> String in
            switch element {
            case .key(let k):
                return "/" + k.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            case .index(let i): return "/\(i)"
            }
        }.joined()
    }
}
