import YAML

/// Decoding of API request bodies (strict JSON by `JSONComposer`; YAML by the YAML composer) with the manifest
/// model, so the API and `dpctl validate` accept and refuse exactly the same objects.
public enum APIDecoding {
    /// The one object in `bytes`, for an endpoint of `kind`. Errors carry line and column in the
    /// body and the field path.
    public static func decode(_ bytes: [UInt8], kind: ManifestKind, source: String = "request body") -> Result<Manifest, InvalidObject> {
        let stream = JSONComposer.composeJSONOrYAML(bytes, limits: YAMLLimits(maxDocuments: 1))
        if let issue = stream.issues.first {
            return .failure(
                InvalidObject([
                    Diagnostic(
                        .error, .yamlSyntax, file: source, line: issue.mark.line, column: issue.mark.column,
                        path: "", message: issue.message)
                ]))
        }
        guard let document = stream.documents.first, document.root.map({ !$0.isNull }) == true else {
            return .failure(
                InvalidObject([
                    Diagnostic(
                        .error, .missingField, file: source, line: 1, column: 1, path: "",
                        message: "the body is empty; send a \(kind.rawValue) object as JSON")
                ]))
        }
        let (manifest, diagnostics) = DocumentDecoder.decode(document, file: source, apiKind: kind)
        if let manifest, diagnostics.isEmpty { return .success(manifest) }
        return .failure(InvalidObject(diagnostics))
    }
}

/// Why a request body was refused: every problem found, with positions and field paths.
public struct InvalidObject: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
