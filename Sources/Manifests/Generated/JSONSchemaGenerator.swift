/// Derives a JSON Schema (draft 2020-12) per kind from the model, for editors and CI linters.
public enum JSONSchemaGenerator {
    public static func schema(for kind: ManifestKind) -> JSONValue {
        .object([
            JSONMember("$schema", "https://json-schema.org/draft/2020-12/schema"),
            JSONMember("$id", .string("https://datapilot.io/schemas/\(ManifestKind.version)/\(kind.singular).json")),
            JSONMember("title", .string(kind.rawValue)),
            JSONMember("description", .string(kind.summary)),
            JSONMember("type", "object"),
            JSONMember("additionalProperties", false),
            JSONMember("required", .array(Schemas.envelope.map(JSONValue.string))),
            JSONMember(
                "properties",
                .object([
                    JSONMember("apiVersion", ["const": .string(ManifestKind.apiVersion)]),
                    JSONMember("kind", ["const": .string(kind.rawValue)]),
                    JSONMember("metadata", object(Schemas.metadata)),
                    JSONMember("spec", object(kind.spec)),
                ])),
        ])
    }

    static func schema(_ type: FieldType) -> [JSONMember] {
        switch type {
        case .string(let s):
            var out = [JSONMember("type", "string")]
            if let allowed = s.allowed { out.append(JSONMember("enum", .array(allowed.map(JSONValue.string)))) }
            if let format = s.format { out += stringFormat(format) }
            return out
        case .integer(let minimum):
            return [JSONMember("type", "integer")] + (minimum.map { [JSONMember("minimum", .int($0))] } ?? [])
        case .number(let minimum):
            return [JSONMember("type", "number")] + (minimum.map { [JSONMember("minimum", .double($0))] } ?? [])
        case .boolean:
            return [JSONMember("type", "boolean")]
        case .object(let o):
            return object(o).objectValue!
        case .array(let element, let minItems):
            var out = [JSONMember("type", "array"), JSONMember("items", .object(schema(element)))]
            if minItems > 0 { out.append(JSONMember("minItems", .int(Int64(minItems)))) }
            return out
        case .map(let keys, let values):
            var out = [JSONMember("type", "object")]
            if let keys { out.append(JSONMember("propertyNames", .object(stringFormat(keys)))) }
            out.append(JSONMember("additionalProperties", .object(schema(values))))
            return out
        case .scalar:
            return [JSONMember("type", ["string", "number", "boolean"])]
        case .countOrPercent:
            return [
                JSONMember(
                    "oneOf",
                    [
                        ["type": "integer", "minimum": 0],
                        ["type": "string", "pattern": .string(StringFormat.percent.pattern)],
                    ])
            ]
        }
    }

    static func stringFormat(_ format: StringFormat) -> [JSONMember] {
        var out = [JSONMember("pattern", .string(format.pattern))]
        if let maxLength = format.maxLength { out.append(JSONMember("maxLength", .int(Int64(maxLength)))) }
        return out
    }

    static func object(_ type: ObjectType) -> JSONValue {
        objectShape(type, closed: true, fieldSchema: schema)
    }

    /// An object schema: its properties, the required ones, and the one-of / any-of groups as
    /// `required` alternatives. `closed` forbids unknown fields (not allowed in a CRD's
    /// structural schema, where the API server prunes them instead).
    static func objectShape(_ type: ObjectType, closed: Bool, fieldSchema: (FieldType) -> [JSONMember]) -> JSONValue {
        var out: [JSONMember] = [JSONMember("type", "object")]
        if closed { out.append(JSONMember("additionalProperties", false)) }
        let required = type.fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { out.append(JSONMember("required", .array(required))) }
        out.append(
            JSONMember(
                "properties",
                .object(
                    type.fields.map { field in
                        JSONMember(field.name, .object([JSONMember("description", .string(field.description))] + fieldSchema(field.type)))
                    })))
        var constraints: [JSONValue] = []
        for group in type.exactlyOneOf {
            constraints.append(["oneOf": .array(group.map { ["required": [.string($0)]] })])
        }
        for group in type.atLeastOneOf {
            constraints.append(["anyOf": .array(group.map { ["required": [.string($0)]] })])
        }
        if constraints.count == 1, case .object(let only) = constraints[0] {
            out += only
        } else if !constraints.isEmpty {
            out.append(JSONMember("allOf", .array(constraints)))
        }
        return .object(out)
    }
}
