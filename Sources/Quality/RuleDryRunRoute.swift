import APIModel
import Foundation
import Hummingbird
import Manifests
import ObjectStore
import Postgres
import QualityEngine
import ServiceKit

/// `POST /api/evaluations/dry-run[?datasetVersion=NAME]`: a QualityRule that is not applied (the
/// body, decoded as `POST /api/qualityrules` decodes it) evaluated against a stored version of
/// its dataset, by default the newest. Role: viewer, as reading the version is; nothing is
/// written (no evaluation row, report, lineage edge or audit event). What `dpctl plan` asks to
/// show what a changed rule would do to the data already there.
struct RuleDryRunRoute: Sendable {
    let pool: ConnectionPool
    let evaluations: Evaluations

    func register(on router: APIRouter) {
        router.post(APIPath.evaluationDryRun) { request, context in
            try context.require(.viewer)
            let asked = request.uri.queryParameters["datasetVersion"].map(String.init)
            if let asked, asked.isEmpty { throw Self.invalid("datasetVersion", "bad-value", "datasetVersion must name a DatasetVersion") }
            let rule = try await request.manifest(of: .qualityRule, context: context)
            var response = Response.json(try await evaluate(rule, version: asked).json)
            response.headers[.dryRun] = "true"
            return response
        }
    }

    /// The stored version a rule is evaluated against.
    struct Stored: Sendable {
        var name: String
        var sha256: String
        var objectKey: String?
        var fileName: String?
        var url: String?
    }

    func evaluate(_ rule: Manifest, version asked: String?) async throws -> RuleDryRun {
        let dataset = rule.spec["dataset"]?.stringValue ?? ""
        let (format, stored) = try await pool.withConnection { connection in try self.find(dataset, version: asked, on: connection) }
        var answer = RuleDryRun(rule: rule.name, dataset: dataset)
        guard let stored else {
            answer.note = "Dataset \"\(dataset)\" has no versions on the server: there is no live data to evaluate the rule against"
            return answer
        }
        answer.datasetVersion = stored.name
        answer.versionSha256 = stored.sha256
        guard let key = stored.objectKey else {
            answer.note =
                "DatasetVersion \"\(stored.name)\" is external (\(stored.url ?? "a URL")): the server holds no content to evaluate; fetch it and run dpctl quality check"
            return answer
        }
        let fileName = stored.fileName ?? "\(stored.name).\(format)"
        if EvaluableFormat.isParquet(fileName) {
            answer.note = "DatasetVersion \"\(stored.name)\" holds \(fileName), a Parquet file; " + EvaluableFormat.advice
            return answer
        }
        let (path, temporary) = try await localCopy(key)
        defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }
        let leading =
            FileHandle(forReadingAtPath: path).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: 2)
            } ?? Data()
        let detected =
            DataFormat.detect(fileName: fileName, leadingBytes: Array(leading))
            ?? DataFormat.detect(fileName: "\(stored.name).\(format)", leadingBytes: Array(leading)) ?? .csv
        let report: EvaluationReport
        do {
            report = try await Evaluations.io.run {
                try Evaluator.evaluate(
                    fileAt: URL(fileURLWithPath: path), rules: [QualityRuleInput(name: rule.name, spec: rule.spec)], format: detected)
            }
        } catch {
            throw Problem(.unprocessableContent, title: "Cannot evaluate", detail: "DatasetVersion \"\(stored.name)\": \(error)")
        }
        answer.outcome = report.outcome.rawValue
        answer.rows = report.rows
        answer.format = report.format
        answer.checks = report.checks.map { check in
            let observed: String? =
                switch check.observedValue {
                case .null: nil
                case .string(let text): text
                default: check.observedValue.jsonString()
                }
            return RuleDryRunCheck(
                check: check.check, type: check.type, severity: check.severity.rawValue, outcome: check.outcome.rawValue,
                observed: observed, unexpectedCount: check.unexpectedCount, message: check.message)
        }
        return answer
    }

    /// The dataset's format and the version to evaluate: the one asked for, else the newest.
    func find(_ dataset: String, version asked: String?, on connection: Connection) throws -> (String, Stored?) {
        guard
            let format = try connection.query("select spec->>'format' as format from datasets where name = $1", [dataset]).first?["format"]
        else {
            let known = try connection.query("select name from datasets order by name limit 1000").compactMap { $0["name"] }
            throw Self.invalid(
                "spec.dataset", "not-found", "Dataset \"\(dataset)\" does not exist on this server" + Suggest.hint(for: dataset, in: known))
        }
        if !EvaluableFormat.formats.contains(format) { throw RuleFormat.refusal(dataset, field: "spec.dataset") }
        let columns = """
            select name, dataset, sha256, object_key, spec->'source'->>'path' as path, spec->'source'->>'url' as url from dataset_versions
            """
        let row: Row?
        if let asked {
            row = try connection.query(columns + " where name = $1", [asked]).first
            guard let row else {
                throw Self.invalid("datasetVersion", "not-found", "DatasetVersion \"\(asked)\" does not exist")
            }
            guard row["dataset"] == dataset else {
                throw Self.invalid(
                    "datasetVersion", "wrong-dataset",
                    "DatasetVersion \"\(asked)\" is a version of Dataset \"\(row["dataset"] ?? "")\", not of \"\(dataset)\" (the rule's spec.dataset)"
                )
            }
        } else {
            row = try connection.query(columns + " where dataset = $1 order by created_at desc, name desc limit 1", [dataset]).first
        }
        return (
            format,
            row.map {
                Stored(
                    name: $0["name"]!, sha256: $0["sha256"] ?? "", objectKey: $0["object_key"],
                    fileName: $0["path"].map { URL(fileURLWithPath: $0).lastPathComponent }, url: $0["url"])
            }
        )
    }

    /// The stored content as a local file: the store's own file, or a temporary download.
    func localCopy(_ key: String) async throws -> (path: String, temporary: Bool) {
        if let file = evaluations.store as? FileObjectStore { return (file.localPath(key: key), false) }
        let path = evaluations.spoolDirectory + "/dry-run-\(UUID().uuidString)"
        try await evaluations.store.get(key: key, range: nil, to: path)
        return (path, true)
    }

    static func invalid(_ field: String, _ code: String, _ message: String) -> Problem {
        Problem(
            .unprocessableContent, title: "Invalid dry run", detail: "\(field): \(message)",
            errors: [ProblemDetails.ValidationError(path: field, code: code, message: message)])
    }
}
