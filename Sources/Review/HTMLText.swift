import Manifests

/// Escaping for HTML text and attribute values (`MarkupText`).
enum HTMLText {
    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
