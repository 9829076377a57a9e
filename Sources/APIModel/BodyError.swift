/// A request body that does not have the shape the API documents: which field, and what it
/// must be. The server answers it as a 422 problem; a client can check before it sends.
public struct BodyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's path in the body (`counts`, `fields[3].path`); empty for the body itself.
    public var field: String
    /// What the field must be, phrased so that the message says what to send instead.
    public var expectation: String

    public init(_ field: String, _ expectation: String) {
        self.field = field
        self.expectation = expectation
    }

    public var description: String { field.isEmpty ? expectation : "\(field): \(expectation)" }
}
