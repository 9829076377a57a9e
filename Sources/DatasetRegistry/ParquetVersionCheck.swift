import APIModel
import Manifests
import Postgres
import ServiceKit

/// Refuses a new DatasetVersion whose file is Parquet when its dataset has QualityRules: the
/// evaluator cannot read Parquet (`EvaluableFormat`), so the rules would never check it. The same
/// refusal `dpctl validate` makes; a rule written after such a version is refused by the Quality
/// service.
enum ParquetVersionCheck {
    static func check(_ spec: JSONValue, on connection: Connection) throws {
        guard let (field, file) = EvaluableFormat.source(of: spec), EvaluableFormat.isParquet(file),
            let dataset = spec["dataset"]?.stringValue,
            let rule = try connection.query(
                "select name from quality_rules where spec->>'dataset' = $1 order by name limit 1", [dataset]
            ).first?["name"]
        else { return }
        let message = "\"\(file)\" is a Parquet file and QualityRule \"\(rule)\" checks Dataset \"\(dataset)\"; " + EvaluableFormat.advice
        throw Problem(
            .unprocessableContent, title: "Format not evaluable", detail: "\(field): \(message)",
            errors: [ProblemDetails.ValidationError(path: field, code: "unsupported-format", message: message)])
    }
}
