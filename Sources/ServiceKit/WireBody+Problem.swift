import APIModel
import Manifests

extension WireBody {
    /// Decodes a request body; a bad one is a 422 problem naming the field.
    public static func decode(_ value: JSONValue, problem title: String) throws -> Self {
        do {
            return try decode(value)
        } catch {
            throw Problem(
                .unprocessableContent, title: title, detail: error.description,
                errors: [ProblemDetails.ValidationError(path: error.field, code: "invalidValue", message: error.expectation)])
        }
    }
}
