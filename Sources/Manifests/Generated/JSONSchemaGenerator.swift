/// Derives a JSON Schema (draft 2020-12) per kind from the model, for editors and CI linters.
///
/// An explicit null means what it means to the validator (and to Kubernetes, which prunes it):
/// the field is left out. So an optional field and a map value also accept null, a required
/// field does not, and "field given" in the one-of, any-of and if/then groups means present
/// and not null. List items are never null.
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
            out.append(JSONMember("additionalProperties", .object(allowingNull(schema(values)))))
            return out
        case .scalar:
            return [JSONMember("type", ["string", "number", "boolean"])]
        case .countOrPercent:
            // `minimum` applies to numbers only and `pattern` to strings only.
            return [
                JSONMember("type", ["integer", "string"]), JSONMember("minimum", 0),
                JSONMember("pattern", .string(StringFormat.percent.pattern)),
            ]
        }
    }

    /// `schema` that also accepts null: "null" joins its types (and its enum).
    static func allowingNull(_ schema: [JSONMember]) -> [JSONMember] {
        schema.map { member in
            switch (member.key, member.value) {
            case ("type", .string(let type)): return JSONMember("type", [.string(type), "null"])
            case ("type", .array(let types)): return JSONMember("type", .array(types + ["null"]))
            case ("enum", .array(let values)): return JSONMember("enum", .array(values + [.null]))
            default: return member
            }
        }
    }

    static func stringFormat(_ format: StringFormat) -> [JSONMember] {
        var out = [JSONMember("pattern", .string(format.pattern))]
        if let maxLength = format.maxLength { out.append(JSONMember("maxLength", .int(Int64(maxLength)))) }
        if let lengths = format.lengthPattern { out.append(JSONMember("allOf", [["pattern": .string(lengths)]])) }
        return out
    }

    /// The field `name` is given: present and not null.
    static func given(_ name: String) -> JSONValue {
        ["required": [.string(name)], "properties": [name: ["not": ["type": "null"]]]]
    }

    /// An object schema: closed to unknown fields, its properties (optional ones nullable), the
    /// required ones, the one-of / any-of groups and the if/then rules.
    static func object(_ type: ObjectType) -> JSONValue {
        var out: [JSONMember] = [JSONMember("type", "object"), JSONMember("additionalProperties", false)]
        let required = type.fields.filter(\.required).map { JSONValue.string($0.name) }
        if !required.isEmpty { out.append(JSONMember("required", .array(required))) }
        out.append(
            JSONMember(
                "properties",
                .object(
                    type.fields.map { field in
                        let schema = field.required ? schema(field.type) : allowingNull(schema(field.type))
                        return JSONMember(field.name, .object([JSONMember("description", .string(field.description))] + schema))
                    })))
        var constraints: [JSONValue] = []
        for group in type.exactlyOneOf { constraints.append(["oneOf": .array(group.map(given))]) }
        for group in type.atLeastOneOf { constraints.append(["anyOf": .array(group.map(given))]) }
        for rule in type.rules {
            if case .requiredWith(let field, let needs, _) = rule { constraints.append(["if": given(field), "then": given(needs)]) }
        }
        return .object(out + merged(constraints))
    }

    /// Constraints as members of the schema: one inline, several under allOf.
    static func merged(_ constraints: [JSONValue]) -> [JSONMember] {
        if constraints.count == 1, case .object(let only) = constraints[0] { return only }
        return constraints.isEmpty ? [] : [JSONMember("allOf", .array(constraints))]
    }
}
