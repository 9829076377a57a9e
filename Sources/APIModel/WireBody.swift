import Foundation
import Manifests

/// A body that crosses the wire between dpctl or the reconciler and the server: encoded by
/// one side and decoded by the other from the same Codable type, and checked by `validate()`
/// on both (the client before it sends, the server before it writes).
public protocol WireBody: Codable, Sendable {
    /// Throws the first field that breaks the documented limits.
    func validate() throws(BodyError)
}

extension WireBody {
    /// The body as JSON, keys sorted (as `JSONEncoder` writes them with `.sortedKeys`).
    public var json: JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings, numbers and JSON values cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        // As many values as the largest body, an apply set's members (the default 100,000 made a
        // larger apply set go out as `{}`).
        guard case .success(let value) = JSONText.parse(Array(data), maxValues: ApplySetBody.maxJSONValues) else { return .object([]) }
        return value
    }

    /// Decodes and validates a parsed body; a missing or mistyped field is named in the error.
    public static func decode(_ value: JSONValue) throws(BodyError) -> Self {
        let body: Self
        do {
            body = try JSONDecoder().decode(Self.self, from: Data(value.jsonString(pretty: false).utf8))
        } catch let error as DecodingError {
            throw BodyError.from(error)
        } catch {
            throw BodyError("", "a JSON object (\(error))")
        }
        try body.validate()
        return body
    }
}

extension BodyError {
    static func from(_ error: DecodingError) -> BodyError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { out, key in
                if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return BodyError(path(context.codingPath + [key]), "required")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return BodyError(path(context.codingPath), "must be \(BodyError.describe(type))")
        case .dataCorrupted(let context):
            return BodyError(path(context.codingPath), context.debugDescription)
        @unknown default:
            return BodyError("", "\(error)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}

/// Text cut to at most `bytes` of UTF-8 without splitting a character, as the server's limits
/// count bytes and a client must not send a message the server then refuses.
public func clipped(_ text: String, toUTF8Bytes bytes: Int) -> String {
    if text.utf8.count <= bytes { return text }
    var out = ""
    var used = 0
    for character in text {
        let size = character.utf8.count
        if used + size > bytes { break }
        out.append(character)
        used += size
    }
    return out
}
