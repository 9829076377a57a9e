/// An enum that crosses the wire as one of its words. A word it does not know is refused
/// with the list of the words it does, which the server's 422 then names.
public protocol WireEnum: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension WireEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let word = try container.decode(String.self)
        guard let value = Self(rawValue: word) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "one of \(Self.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(word)\"")
        }
        self = value
    }
}
