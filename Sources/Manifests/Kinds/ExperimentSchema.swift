extension Schemas {
    public static let experiment = ObjectType([
        Field("description", .text, "What the experiment tries to find out."),
        Field("datasets", .array(of: .reference(.dataset), minItems: 0), "The Datasets it draws on."),
        Field(
            "objective",
            .object(
                ObjectType([
                    Field("metric", .formatted(.nonBlank), required: true, "The metric runs are compared by."),
                    Field("goal", .oneOf(["maximize", "minimize"]), required: true, "Whether higher or lower is better."),
                ])), "How runs are compared."),
    ])
}
