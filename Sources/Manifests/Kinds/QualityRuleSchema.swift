extension Schemas {
    public static let checkTypes = ["rowCount", "missing", "unique", "allowedValues", "range", "regex", "schema", "freshness"]

    static let threshold = Field(
        "threshold", .countOrPercent, "Rows allowed to fail before the check fails: a count (default 0) or a percentage.")

    public static let check = ObjectType(
        [
            Field("name", .formatted(.dnsSubdomain), "Name of the check, unique within the rule."),
            Field("severity", .oneOf(["warn", "fail"]), "Overrides the rule's severity for this check."),
            Field("description", .text, "Why the check exists."),
            Field(
                "rowCount",
                .object(
                    ObjectType(
                        [
                            Field("min", .integer(minimum: 0), "Fewest rows allowed."),
                            Field("max", .integer(minimum: 0), "Most rows allowed."),
                        ], atLeastOneOf: [["min", "max"]], rules: [.minNotAboveMax])), "The number of rows is within bounds."),
            Field(
                "missing",
                .object(
                    ObjectType([
                        Field("column", .column, required: true, "The column."), threshold,
                    ])), "Null or empty values in a column."),
            Field(
                "unique",
                .object(
                    ObjectType([
                        Field(
                            "columns", .array(of: .column, minItems: 1), required: true, "The columns whose combined values must be unique."
                        ),
                        threshold,
                    ])), "Duplicate values in one or more columns."),
            Field(
                "allowedValues",
                .object(
                    ObjectType([
                        Field("column", .column, required: true, "The column."),
                        Field("values", .array(of: .scalar, minItems: 1), required: true, "The values allowed."),
                        threshold,
                    ])), "Values outside a fixed set."),
            Field(
                "range",
                .object(
                    ObjectType(
                        [
                            Field("column", .column, required: true, "The column."),
                            Field("min", .number(minimum: nil), "Smallest value allowed."),
                            Field("max", .number(minimum: nil), "Largest value allowed."),
                            threshold,
                        ], atLeastOneOf: [["min", "max"]], rules: [.minNotAboveMax])), "Numeric values outside bounds."),
            Field(
                "regex",
                .object(
                    ObjectType([
                        Field("column", .column, required: true, "The column."),
                        Field(
                            "pattern", .string(StringType(format: .nonBlank, role: .regex)), required: true,
                            "A regular expression every value must match."),
                        threshold,
                    ])), "Values not matching a pattern."),
            Field(
                "schema",
                .object(
                    ObjectType(
                        [
                            Field("columns", .array(of: .object(column), minItems: 1), required: true, "The columns expected."),
                            Field("allowExtraColumns", .boolean, "Whether other columns may be present (default true)."),
                        ], rules: [.unique(key: "name", in: "columns", what: "column")])), "The file's columns and types."),
            Field(
                "freshness",
                .object(
                    ObjectType([
                        Field("column", .column, required: true, "A timestamp column."),
                        Field("maxAge", .formatted(.duration), required: true, "How old the newest value may be."),
                    ])), "The newest timestamp is recent enough."),
        ], exactlyOneOf: [checkTypes])

    public static let qualityRule = ObjectType(
        [
            Field("dataset", .reference(.dataset), required: true, "The Dataset whose versions are checked."),
            Field(
                "severity", .oneOf(["warn", "fail"]), required: true, "What a failed check does by default: warn, or fail the evaluation."),
            Field("description", .text, "What the rule protects."),
            Field("checks", .array(of: .object(check), minItems: 1), required: true, "The checks; each names exactly one check type."),
        ], rules: [.unique(key: "name", in: "checks", what: "check name")])
}
