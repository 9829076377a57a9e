extension Schemas {
    public static let run = ObjectType([
        Field("experiment", .reference(.experiment), required: true, "The Experiment this run belongs to."),
        Field("description", .text, "What this run tries."),
        Field(
            "inputs",
            .array(
                of: .object(
                    ObjectType([
                        Field("datasetVersion", .reference(.datasetVersion), required: true, "A DatasetVersion the run reads.")
                    ])), minItems: 0), "The dataset versions the run reads."),
        Field(
            "code",
            .object(
                ObjectType([
                    Field("repository", .formatted(.nonBlank), required: true, "The code's git repository."),
                    Field("commit", .formatted(.commitSHA), required: true, "The full commit id."),
                ])), "The code the run executes."),
        Field(
            "image",
            .object(
                ObjectType([
                    Field("reference", .formatted(.nonBlank), required: true, "The container image reference."),
                    Field("digest", .formatted(.imageDigest), required: true, "The image's content digest."),
                ])), "The container image the run executes in."),
        Field("command", .array(of: .text, minItems: 1), "The command and its arguments."),
        Field("params", .map(keys: nil, values: .scalar), "Parameters: written once, never changed."),
        Field("execute", .boolean, "Start the run through an executor (default false)."),
        Field("evidence", .boolean, "Build an evidence bundle when the run ends (default false)."),
        Field(
            "allowUnadmittedInputs", .boolean,
            "Read inputs that are not Admitted (Pending, Evaluating, Quarantined) anyway; the audit and evidence record it (default false)."
        ),
    ])
}
