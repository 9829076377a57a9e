extension Schemas {
    public static let columnTypes = ["string", "integer", "number", "boolean", "timestamp", "date"]

    public static let column = ObjectType([
        Field("name", .formatted(.nonBlank), required: true, "Column name, unique within the schema."),
        Field("type", .oneOf(columnTypes), required: true, "Logical type of the values."),
        Field("nullable", .boolean, "Whether empty values are allowed (default true)."),
        Field("description", .text, "What the column holds."),
    ])

    public static let dataset = ObjectType([
        Field("description", .text, "What the dataset is."),
        Field("owner", .formatted(.nonBlank), required: true, "Who answers for it: a team or a person's address."),
        Field("format", .oneOf(["csv", "jsonl", "parquet"]), required: true, "File format of its versions."),
        Field("compression", .oneOf(["none", "gzip"]), "Compression of its versions' files (default none)."),
        Field(
            "schema",
            .object(
                ObjectType(
                    [
                        Field("columns", .array(of: .object(column), minItems: 1), required: true, "The columns, in file order.")
                    ], rules: [.unique(key: "name", in: "columns", what: "column")])), "The expected columns."),
    ])
}
