import Foundation

/// The parts of an S3 error document that say what went wrong:
/// `<Error><Code>NoSuchBucket</Code><Message>...</Message><Region>...</Region>...</Error>`.
///
/// Other elements (`<StringToSign>`, `<CanonicalRequest>`, `<AWSAccessKeyId>`, ...) are ignored on
/// purpose: they can carry credential material and must not reach an error message.
struct S3ErrorResponse: Sendable, Equatable {
    var code: String?
    var message: String?
    var region: String?

    init(code: String? = nil, message: String? = nil, region: String? = nil) {
        self.code = code
        self.message = message
        self.region = region
    }

    /// nil unless the body looks like an S3 error document. Error bodies are small; anything
    /// past the first 64 KiB is ignored.
    init?(xml bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(1 << 16), as: UTF8.self)
        guard text.contains("<Error") else { return nil }
        code = Self.element("Code", in: text)
        message = Self.element("Message", in: text)
        region = Self.element("Region", in: text)
        if code == nil && message == nil { return nil }
    }

    /// The text of the first `<name>...</name>`, entities decoded, or nil when absent or empty.
    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
            let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        let value = decodeEntities(String(text[open.upperBound..<close.lowerBound]))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out
    }
}
