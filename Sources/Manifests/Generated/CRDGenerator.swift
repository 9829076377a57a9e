/// Derives a Kubernetes CustomResourceDefinition per kind from the model. The schemas are
/// structural (no additionalProperties: false, no types under oneOf), as apiextensions/v1 requires.
public enum CRDGenerator {
    public static func crd(for kind: ManifestKind) -> JSONValue {
        var names: [JSONMember] = [
            JSONMember("kind", .string(kind.rawValue)),
            JSONMember("listKind", .string(kind.rawValue + "List")),
            JSONMember("plural", .string(kind.plural)),
            JSONMember("singular", .string(kind.singular)),
        ]
        if !kind.shortNames.isEmpty { names.append(JSONMember("shortNames", .array(kind.shortNames.map(JSONValue.string)))) }
        names.append(JSONMember("categories", ["datapilot"]))
        return .object([
            JSONMember("apiVersion", "apiextensions.k8s.io/v1"),
            JSONMember("kind", "CustomResourceDefinition"),
            JSONMember(
                "metadata",
                .object([
                    JSONMember("name", .string("\(kind.plural).\(ManifestKind.group)")),
                    JSONMember("labels", ["app.kubernetes.io/part-of": "datapilot"]),
                ])),
            JSONMember(
                "spec",
                .object([
                    JSONMember("group", .string(ManifestKind.group)),
                    JSONMember("names", .object(names)),
                    JSONMember("scope", "Namespaced"),
                    JSONMember(
                        "versions",
                        [
                            .object([
                                JSONMember("name", .string(ManifestKind.version)),
                                JSONMember("served", true),
                                JSONMember("storage", true),
                                JSONMember(
                                    "schema",
                                    [
                                        "openAPIV3Schema": .object([
                                            JSONMember("description", .string(kind.summary)),
                                            JSONMember("type", "object"),
                                            JSONMember("required", ["spec"]),
                                            JSONMember(
                                                "properties",
                                                .object([
                                                    JSONMember("apiVersion", ["type": "string"]),
                                                    JSONMember("kind", ["type": "string"]),
                                                    JSONMember("metadata", ["type": "object"]),
                                                    JSONMember("spec", object(kind.spec)),
                                                ])),
                                        ])
                                    ]),
                            ])
                        ]),
                ])),
        ])
    }

    static func schema(_ type: FieldType) -> [JSONMember] {
        switch type {
        case .string(let s):
            var out = [JSONMember("type", "string")]
            if let allowed = s.allowed { out.append(JSONMember("enum", .array(allowed.map(JSONValue.string)))) }
            if let format = s.format { out += JSONSchemaGenerator.stringFormat(format) }
            return out
        case .integer, .number, .boolean, .array:
            if case .array(let element, let minItems) = type {
                var out = [JSONMember("type", "array"), JSONMember("items", .object(schema(element)))]
                if minItems > 0 { out.append(JSONMember("minItems", .int(Int64(minItems)))) }
                return out
            }
            return JSONSchemaGenerator.schema(type)
        case .object(let o):
            return object(o).objectValue!
        case .map(_, let values):
            return [JSONMember("type", "object"), JSONMember("additionalProperties", .object(schema(values)))]
        case .scalar:
            return [JSONMember("x-kubernetes-preserve-unknown-fields", true)]
        case .countOrPercent:
            return [JSONMember("x-kubernetes-int-or-string", true)]
        }
    }

    static func object(_ type: ObjectType) -> JSONValue {
        JSONSchemaGenerator.objectShape(type, closed: false, fieldSchema: schema)
    }
}
