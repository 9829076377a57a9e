import YAML

/// Turns one YAML document into a `Manifest`: the envelope (apiVersion, kind, metadata, spec)
/// first, then the kind's spec, collecting every problem with its position.
enum DocumentDecoder {
    /// Server-owned fields an API client may send back unchanged; the API ignores them.
    static let serverMetadata: Set<String> = ["uid", "resourceVersion", "createdAt", "updatedAt", "createdBy", "updatedBy"]

    /// Decodes one document. With `apiKind` (a request to the API for that kind), apiVersion and
    /// kind may be left out, and server-owned fields (`status`, `metadata.uid`, ...) are ignored.
    static func decode(_ document: YAMLDocument, file: String, apiKind: ManifestKind? = nil) -> (Manifest?, [Diagnostic]) {
        var validator = NodeValidator(file: file)
        guard let root = document.root, !root.isNull else { return (nil, []) }  // empty documents are skipped
        guard case .mapping(let written) = root.value else {
            validator.error(
                .notAMapping, root.mark,
                "a manifest must be a mapping with apiVersion, kind, metadata and spec; found \(validator.describe(root))")
            return (nil, validator.diagnostics)
        }
        var nodes: [String: YAMLNode] = [:]
        var pairs = written
        if let apiKind {
            pairs.removeAll { $0.key.scalar?.text == "status" }
            let kindNode = { (text: String) in YAMLNode(value: .scalar(YAMLScalar(text: text, style: .doubleQuoted)), mark: root.mark) }
            if !pairs.contains(where: { $0.key.scalar?.text == "apiVersion" }) {
                pairs.append(YAMLPair(key: kindNode("apiVersion"), value: kindNode(ManifestKind.apiVersion)))
            }
            if !pairs.contains(where: { $0.key.scalar?.text == "kind" }) {
                pairs.append(YAMLPair(key: kindNode("kind"), value: kindNode(apiKind.rawValue)))
            }
            for i in pairs.indices where pairs[i].key.scalar?.text == "metadata" {
                if case .mapping(let meta) = pairs[i].value.value {
                    pairs[i].value.value = .mapping(meta.filter { !serverMetadata.contains($0.key.scalar?.text ?? "") })
                }
            }
        }
        for pair in pairs {
            guard let key = pair.key.scalar?.text, Schemas.envelope.contains(key) else {
                let key = pair.key.scalar?.text ?? "?"
                var message =
                    "unknown field \"\(key)\"" + Suggest.hint(for: key, in: Schemas.envelope)
                    + "; expected apiVersion, kind, metadata and spec"
                if key == "status" { message += " (status is written by the server, not by manifests)" }
                validator.error(.unknownField, pair.key.mark, message, at: FieldPath([.key(key)]))
                continue
            }
            nodes[key] = pair.value
        }
        for key in Schemas.envelope where nodes[key].map({ $0.isNull }) ?? true {
            validator.error(.missingField, nodes[key]?.mark ?? root.mark, "missing required field \"\(key)\"", at: FieldPath([.key(key)]))
        }

        // apiVersion
        if let node = nodes["apiVersion"], !node.isNull {
            validator.path = FieldPath([.key("apiVersion")])
            if let value = validator.value(node, .text)?.stringValue, value != ManifestKind.apiVersion {
                validator.error(
                    .unsupportedAPIVersion, node.mark,
                    "unsupported apiVersion \"\(value)\"; this version of DataPilot reads \(ManifestKind.apiVersion)")
            }
        }

        // kind
        var kind: ManifestKind?
        if let node = nodes["kind"], !node.isNull {
            validator.path = FieldPath([.key("kind")])
            if let value = validator.value(node, .text)?.stringValue {
                kind = ManifestKind(rawValue: value)
                if let apiKind, let kind, kind != apiKind {
                    validator.error(.unknownKind, node.mark, "this endpoint takes \(apiKind.rawValue) objects, not \(kind.rawValue)")
                } else if kind == nil {
                    let names = ManifestKind.allCases.map(\.rawValue)
                    validator.error(
                        .unknownKind, node.mark,
                        "unknown kind \"\(value)\"" + Suggest.hint(for: value, in: names)
                            + "; expected one of " + names.joined(separator: ", "))
                }
            }
        }

        // metadata
        var metadata: JSONValue?
        var nameMark = root.mark
        if let node = nodes["metadata"], !node.isNull {
            validator.path = FieldPath([.key("metadata")])
            metadata = validator.object(node, Schemas.metadata)
            if case .mapping(let metaPairs) = node.value,
                let nameNode = metaPairs.first(where: { $0.key.scalar?.text == "name" })?.value
            {
                nameMark = nameNode.mark
            }
        }

        // spec
        var spec: JSONValue?
        if let kind, let node = nodes["spec"], !node.isNull {
            validator.path = FieldPath([.key("spec")])
            spec = validator.object(node, kind.spec)
        }

        guard validator.diagnostics.isEmpty, let kind, let metadata, let spec,
            let name = metadata["name"]?.stringValue
        else {
            return (nil, validator.diagnostics)
        }
        let body = JSONValue.object([
            JSONMember("apiVersion", .string(ManifestKind.apiVersion)),
            JSONMember("kind", .string(kind.rawValue)),
            JSONMember("metadata", metadata),
            JSONMember("spec", spec),
        ])
        let origin = ManifestOrigin(file: file, documentIndex: document.index, mark: root.mark, nameMark: nameMark)
        return (Manifest(kind: kind, name: name, body: body, origin: origin, occurrences: validator.occurrences), [])
    }
}
