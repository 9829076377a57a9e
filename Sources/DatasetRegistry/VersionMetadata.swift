import Foundation
import Hummingbird
import Manifests
import ServiceKit

/// `labels` and `annotations` query parameters of an upload: each a JSON object of string to
/// string, checked with the manifest model's rules for `metadata.labels` / `metadata.annotations`.
enum VersionMetadata {
    static func fromQuery(_ request: Request) throws -> (labels: JSONValue, annotations: JSONValue) {
        let query = request.uri.queryParameters
        var values: [String: JSONValue] = [:]
        for parameter in ["labels", "annotations"] {
            guard let raw = query[Substring(parameter)].map(String.init), !raw.isEmpty else { continue }
            guard case .success(let value) = JSONText.parse(raw), case .object = value else {
                throw Problem(
                    .badRequest, title: "Bad \(parameter)",
                    detail: "\(parameter) must be a JSON object of string to string, e.g. {\"team\":\"growth\"}, URL-encoded")
            }
            values[parameter] = value
        }
        let labels = values["labels"] ?? .object([])
        let annotations = values["annotations"] ?? .object([])
        guard values.isEmpty == false else { return (labels, annotations) }
        // A stand-in version carrying them, checked by the model like any manifest.
        let probe = JSONValue.object([
            JSONMember(
                "metadata", .object([JSONMember("name", "probe"), JSONMember("labels", labels), JSONMember("annotations", annotations)])),
            JSONMember("spec", .object([JSONMember("dataset", "probe"), JSONMember("source", .object([JSONMember("path", "probe")]))])),
        ])
        if case .failure(let invalid) = APIDecoding.decode(Array(probe.jsonString().utf8), kind: .datasetVersion),
            let first = invalid.diagnostics.first
        {
            let parameter = first.path.hasPrefix("metadata.annotations") ? "annotations" : "labels"
            let field = first.path.replacingOccurrences(of: "metadata.", with: "")
            throw Problem(
                .badRequest, title: "Bad \(parameter)", detail: "the \(parameter) parameter is invalid: \(field): \(first.message)")
        }
        return (labels, annotations)
    }
}
