import APIModel
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// Refuses a QualityRule for a Parquet dataset where it is written (create, update, batch) and
/// where it is dry-run: the evaluator cannot read Parquet, so the rule would never run
/// (`EvaluableFormat`, the same refusal `dpctl validate` makes).
enum RuleFormat {
    static func check(_ spec: JSONValue, on connection: Connection, field: String = "spec.dataset") throws {
        guard let dataset = spec["dataset"]?.stringValue,
            let format = try connection.query("select spec->>'format' as format from datasets where name = $1", [dataset]).first?["format"]
        else { return }
        guard EvaluableFormat.formats.contains(format) else { throw refusal(dataset, field: field) }
        // A version already stored whose file is Parquet (in a dataset that says csv or jsonl).
        let versions = try connection.query(
            """
            select name, spec::text as spec from dataset_versions
            where dataset = $1 and (lower(spec->'source'->>'path') ~ '\\.parq(uet)?(\\.gz)?$' or lower(spec->'source'->>'url') ~ '\\.parq(uet)?(\\.gz)?([?#].*)?$')
            order by name limit 1
            """, [dataset])
        if let version = versions.first, let (_, file) = EvaluableFormat.source(of: ObjectJSON.parse(version["spec"])) {
            let message =
                "DatasetVersion \"\(version["name"] ?? "")\" of Dataset \"\(dataset)\" holds \(file), a Parquet file; "
                + EvaluableFormat.advice
            throw Problem(
                .unprocessableContent, title: "Format not evaluable", detail: "\(field): \(message)",
                errors: [ProblemDetails.ValidationError(path: field, code: "unsupported-format", message: message)])
        }
    }

    static func refusal(_ dataset: String, field: String) -> Problem {
        let message = EvaluableFormat.refusal(dataset: dataset)
        return Problem(
            .unprocessableContent, title: "Format not evaluable", detail: "\(field): \(message)",
            errors: [ProblemDetails.ValidationError(path: field, code: "unsupported-format", message: message)])
    }
}
