/// Which data quality rules can be evaluated on: the one answer `dpctl validate`, the server's
/// writes of QualityRules and its dry-run evaluation share. The evaluator (`QualityEngine`)
/// reads CSV and JSON Lines, each optionally gzip-compressed; Parquet it does not read, so a
/// rule that would need it is refused where it is written rather than accepted and skipped.
public enum EvaluableFormat {
    /// The `spec.format` values of a Dataset whose versions quality rules can check.
    public static let formats: Set<String> = ["csv", "jsonl"]

    /// Whether a data file's name (a path or a URL) says Parquet.
    public static func isParquet(_ fileName: String) -> Bool {
        var name = fileName.lowercased()
        if let query = name.firstIndex(where: { $0 == "?" || $0 == "#" }) { name = String(name[..<query]) }
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return name.hasSuffix(".parquet") || name.hasSuffix(".parq")
    }

    /// A DatasetVersion's data file as its spec names it: `spec.source.path`, else `spec.source.url`.
    public static func source(of spec: JSONValue) -> (field: String, file: String)? {
        if let path = spec["source"]?["path"]?.stringValue { return ("spec.source.path", path) }
        if let url = spec["source"]?["url"]?.stringValue { return ("spec.source.url", url) }
        return nil
    }

    /// What to do about a QualityRule for a Parquet dataset, after the sentence naming it.
    public static let advice =
        "quality rules cannot evaluate Parquet (the evaluator reads CSV and JSON Lines, optionally gzip): "
        + "store the dataset's versions as csv or jsonl, or remove the rule"

    /// Why a rule for `dataset`, whose `spec.format` is Parquet, is refused.
    public static func refusal(dataset: String) -> String {
        "Dataset \"\(dataset)\" is Parquet (spec.format: parquet); " + advice
    }
}
