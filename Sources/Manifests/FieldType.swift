/// The manifest model, as data: every kind's fields are declared once with these types, and the
/// validator, the JSON Schemas (`schemas/`) and the CRDs (`crds/`) are all derived from them.
public indirect enum FieldType: Sendable {
    case string(StringType)
    case integer(minimum: Int64?)
    case number(minimum: Double?)
    case boolean
    case object(ObjectType)
    case array(of: FieldType, minItems: Int)
    /// A mapping from keys of a format to values of one type (labels, annotations, params).
    case map(keys: StringFormat?, values: FieldType)
    /// A string, number or boolean.
    case scalar
    /// A whole number of rows, or a percentage string such as "0.5%".
    case countOrPercent

    public static let text = FieldType.string(StringType())
    public static func formatted(_ format: StringFormat) -> FieldType { .string(StringType(format: format)) }
    public static func oneOf(_ values: [String]) -> FieldType { .string(StringType(allowed: values)) }
    public static func reference(_ kind: ManifestKind) -> FieldType {
        .string(StringType(format: .dnsSubdomain, role: .reference(kind)))
    }
    public static let column = FieldType.string(StringType(format: .nonBlank, role: .column))

    /// A short description of the type for "expected ..." messages.
    public var expectation: String {
        switch self {
        case .string(let s):
            if let allowed = s.allowed { return "one of " + allowed.joined(separator: ", ") }
            return "a string"
        case .integer: return "a whole number"
        case .number: return "a number"
        case .boolean: return "true or false"
        case .object: return "a mapping"
        case .array: return "a list"
        case .map: return "a mapping"
        case .scalar: return "a string, number or boolean"
        case .countOrPercent: return "a whole number of rows or a percentage such as \"0.5%\""
        }
    }
}

public struct StringType: Sendable {
    /// What a string in this place means beyond its text, for the checks that span manifests.
    public enum Role: Sendable, Hashable {
        case reference(ManifestKind)
        case column
        case sourcePath
        case regex
    }

    public var format: StringFormat?
    public var allowed: [String]?
    public var role: Role?

    public init(format: StringFormat? = nil, allowed: [String]? = nil, role: Role? = nil) {
        self.format = format
        self.allowed = allowed
        self.role = role
    }
}

public struct Field: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool
    public var description: String

    public init(_ name: String, _ type: FieldType, required: Bool = false, _ description: String) {
        self.name = name
        self.type = type
        self.required = required
        self.description = description
    }
}

public struct ObjectType: Sendable {
    public var fields: [Field]
    /// Groups of fields of which exactly one must be present.
    public var exactlyOneOf: [[String]]
    /// Groups of fields of which at least one must be present.
    public var atLeastOneOf: [[String]]
    /// Checks across fields, run by the validator only when every field is valid; each says
    /// how the JSON Schema and the CRD express it, where they can.
    public var rules: [ObjectRule]
    let index: [String: Int]

    public init(
        _ fields: [Field], exactlyOneOf: [[String]] = [], atLeastOneOf: [[String]] = [], rules: [ObjectRule] = []
    ) {
        self.fields = fields
        self.exactlyOneOf = exactlyOneOf
        self.atLeastOneOf = atLeastOneOf
        self.rules = rules
        var index: [String: Int] = [:]
        for (i, field) in fields.enumerated() { index[field.name] = i }
        self.index = index
    }

    public func field(named name: String) -> Field? { index[name].map { fields[$0] } }
}

/// A check across the fields of one object. The validator runs it; the generators write it into
/// the JSON Schema and the CRD where those can say it (docs/manifests.md lists where they cannot).
public enum ObjectRule: Sendable {
    /// `min` must not exceed `max`. The CRD says it in CEL; a JSON Schema cannot compare fields.
    case minNotAboveMax
    /// The `key` of every item of the list `list` must be unique. The CRD says it as a list-type
    /// map when `key` is required in the items; a JSON Schema cannot.
    case unique(key: String, in: String, what: String)
    /// When `field` is given, `needs` must be given too (the message gives `because`). The JSON
    /// Schema says it with if/then, the CRD in CEL.
    case requiredWith(field: String, needs: String, because: String)

    /// The message when `object` breaks the rule, nil when it keeps it.
    public func violation(in object: JSONValue) -> String? {
        switch self {
        case .minNotAboveMax:
            guard let min = object["min"]?.numberValue, let max = object["max"]?.numberValue, min > max else { return nil }
            return "min (\(JSONValue.format(min))) is greater than max (\(JSONValue.format(max)))"
        case .unique(let key, let list, let what):
            var seen: Set<[Unicode.Scalar]> = []
            for item in object[list]?.arrayValue ?? [] {
                guard let value = item[key]?.stringValue else { continue }
                if !seen.insert(Array(value.unicodeScalars)).inserted { return "\(what) \"\(value)\" appears more than once in \(list)" }
            }
            return nil
        case .requiredWith(let field, let needs, let because):
            guard object[field] != nil, object[needs] == nil else { return nil }
            return "\(needs) is required with \(field): \(because)"
        }
    }

    /// The rule as a CEL expression for a CRD's x-kubernetes-validations, with its message; nil
    /// when the CRD says it otherwise or not at all.
    var cel: (rule: String, message: String)? {
        switch self {
        case .minNotAboveMax:
            return ("!has(self.min) || !has(self.max) || self.min <= self.max", "min must not be greater than max")
        case .unique:
            return nil
        case .requiredWith(let field, let needs, let because):
            return ("!has(self.\(field)) || has(self.\(needs))", "\(needs) is required with \(field): \(because)")
        }
    }
}
