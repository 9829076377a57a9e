import ArgumentParser

/// The flags of OpenLineage emission (`openlineage-*`, docs/openlineage.md).
struct OpenLineageOptions: ParsableArguments {
    @Option(
        name: .customLong("openlineage-url"),
        help: "Send OpenLineage run events to this collector URL (e.g. http://marquez:5000/api/v1/lineage).")
    var url: String?
    @Option(
        name: .customLong("openlineage-api-key-file"),
        help: "File holding the collector's bearer key (or DATAPILOT_OPENLINEAGE_API_KEY).")
    var apiKeyFile: String?
    @Option(name: .customLong("openlineage-file"), help: "Append OpenLineage run events to this JSON-lines file (an absolute path).")
    var file: String?
    @Option(name: .customLong("openlineage-namespace"), help: "The namespace of DataPilot's jobs and datasets (default datapilot).")
    var namespace: String?
    @Option(name: .customLong("openlineage-attempts"), help: "Tries per event at the collector, with backoff (default 8).")
    var attempts: Int?

    var settings: [(String, String?)] {
        [
            ("openlineage-url", url), ("openlineage-api-key-file", apiKeyFile), ("openlineage-file", file),
            ("openlineage-namespace", namespace), ("openlineage-attempts", attempts.map(String.init)),
        ]
    }
}
