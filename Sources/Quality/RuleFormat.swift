import APIModel
import Manifests
import Postgres
import ServiceKit

/// Refuses a QualityRule for a Parquet dataset where it is written (create, update, batch) and
/// where it is dry-run: the evaluator cannot read Parquet, so the rule would never run
/// (`EvaluableFormat`, the same refusal `dpctl validate` makes).
enum RuleFormat {
    static func check(_ spec: JSONValue, on connection: Connection, field: String = "spec.dataset") throws {
        guard let dataset = spec["dataset"]?.stringValue,
            let format = try connection.query("select spec->>'format' as format from datasets where name = $1", [dataset]).first?["format"],
            !EvaluableFormat.formats.contains(format)
        else { return }
        throw refusal(dataset, field: field)
    }

    static func refusal(_ dataset: String, field: String) -> Problem {
        let message = EvaluableFormat.refusal(dataset: dataset)
        return Problem(
            .unprocessableContent, title: "Format not evaluable", detail: "\(field): \(message)",
            errors: [ProblemDetails.ValidationError(path: field, code: "unsupported-format", message: message)])
    }
}
