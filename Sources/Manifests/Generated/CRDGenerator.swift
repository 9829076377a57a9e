/// Derives a Kubernetes CustomResourceDefinition per kind from the model. The schemas are
/// structural (no additionalProperties: false, no types under oneOf), as apiextensions/v1 requires.
/// The API server prunes a null where the schema is not nullable (object fields and map values),
/// which is the validator's rule too: a null field is a field left out. Metadata is the API
/// server's own: it checks names, label keys and values and annotation keys as the validator does.
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
        case .integer, .number, .boolean:
            return JSONSchemaGenerator.schema(type)
        case .array(let element, let minItems):
            var out = [JSONMember("type", "array"), JSONMember("items", .object(schema(element)))]
            if minItems > 0 { out.append(JSONMember("minItems", .int(Int64(minItems)))) }
            return out
        case .object(let o):
            return object(o).objectValue!
        case .map(_, let values):
            return [JSONMember("type", "object"), JSONMember("additionalProperties", .object(schema(values)))]
        case .scalar:
            // A structural schema has one type per node, so "a string, number or boolean" is a node
            // of any type with value checks that refuse the rest: each check applies to one type
            // only, and no string, number or boolean can satisfy all of them, while null, a
            // mapping or a list satisfies every one.
            return [
                JSONMember("x-kubernetes-preserve-unknown-fields", true),
                JSONMember(
                    "not",
                    .object([
                        JSONMember("minLength", 1), JSONMember("maxLength", 0), JSONMember("minimum", 1), JSONMember("maximum", 0),
                        JSONMember("not", ["enum": [true, false]]),
                    ])),
            ]
        case .countOrPercent:
            // `minimum` applies to the integer, `pattern` to the string.
            return [
                JSONMember("x-kubernetes-int-or-string", true), JSONMember("minimum", 0),
                JSONMember("pattern", .string(StringFormat.percent.pattern)),
            ]
        }
    }

    /// An object: its properties, the required ones and the one-of / any-of groups (nulls are
    /// pruned before validation, so `required` means given); unique keys as list-type maps and
    /// the other rules as CEL.
    static func object(_ type: ObjectType) -> JSONValue {
        var out: [JSONMember] = [JSONMember("type", "object")]
        let required = type.fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { out.append(JSONMember("required", .array(required))) }
        out.append(
            JSONMember(
                "properties",
                .object(
                    type.fields.map { field in
                        JSONMember(
                            field.name,
                            .object(
                                [JSONMember("description", .string(field.description))] + schema(field.type) + listMap(field, type.rules)))
                    })))
        var constraints: [JSONValue] = []
        for group in type.exactlyOneOf { constraints.append(["oneOf": .array(group.map { ["required": [.string($0)]] })]) }
        for group in type.atLeastOneOf { constraints.append(["anyOf": .array(group.map { ["required": [.string($0)]] })]) }
        out += JSONSchemaGenerator.merged(constraints)
        let validations = type.rules.compactMap(\.cel).map { ["rule": .string($0.rule), "message": .string($0.message)] as JSONValue }
        if !validations.isEmpty { out.append(JSONMember("x-kubernetes-validations", .array(validations))) }
        return .object(out)
    }

    /// For a list whose items' `key` must be unique and is required in them: a list-type map on
    /// that key, whose duplicates the API server refuses.
    static func listMap(_ field: Field, _ rules: [ObjectRule]) -> [JSONMember] {
        for rule in rules {
            guard case .unique(let key, let list, _) = rule, list == field.name,
                case .array(.object(let item), _) = field.type, item.field(named: key)?.required == true
            else { continue }
            return [JSONMember("x-kubernetes-list-type", "map"), JSONMember("x-kubernetes-list-map-keys", [.string(key)])]
        }
        return []
    }
}
