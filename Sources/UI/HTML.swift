import Manifests

/// A fragment of HTML. Literal text written in the source is trusted; every `String` put into it
/// by interpolation is escaped, so a value from the API can never become markup:
/// `HTML("<td>\(name)</td>")` escapes `name`, `\(fragment)` of another `HTML` is kept as it is.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(stringLiteral value: String) { text = value }

    public init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    init(trusted text: String) { self.text = text }

    public var description: String { text }

    /// Fragments one after another.
    public static func join(_ parts: [HTML], separator: HTML = "") -> HTML {
        HTML(trusted: parts.map(\.text).joined(separator: separator.text))
    }

    /// `&`, `<`, `>`, `"` and `'` as character references: safe in text and in quoted attributes
    /// (`MarkupText`, which also replaces the control characters a page may not carry).
    public static func escape(_ text: String) -> String { MarkupText.escape(text) }

    /// Builds the fragment: literals as written, values escaped.
    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + 16 * interpolationCount) }

        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        public mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
        public mutating func appendInterpolation(_ value: HTML) { text += value.text }
        public mutating func appendInterpolation(_ values: [HTML]) { for value in values { text += value.text } }
        public mutating func appendInterpolation(_ value: Int) { text += String(value) }
        public mutating func appendInterpolation(_ value: Int64) { text += String(value) }
    }
}
