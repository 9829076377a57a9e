import APIModel
import Audit
import Blocking
import Foundation
import Lineage
import Manifests
import ObjectAPI
import ObjectStore
import Postgres
import QualityEngine
import ServiceKit

/// Evaluates a stored dataset version against its dataset's quality rules with one streaming
/// pass over the data, keeps the full report in the object store, and records the evaluation
/// (its audit event and its lineage edge in the same transaction).
public struct Evaluations: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore
    let spoolDirectory: String
    static let io = BlockingQueue(concurrentLabel: "datapilot.quality.evaluate")

    public init(pool: ConnectionPool, store: any ObjectStore, spoolDirectory: String) {
        self.pool = pool
        self.store = store
        self.spoolDirectory = spoolDirectory
    }

    struct Target: Sendable {
        var version: String
        var dataset: String
        var sha256: String
        var objectKey: String
        var size: Int64
        var fileName: String
        var rules: [(name: String, resourceVersion: String, spec: JSONValue)]
    }

    /// What to evaluate: the version's stored content and the rules (all of its dataset's, or the named ones).
    func target(version: String, ruleNames: [String]?, on connection: Connection) throws -> Target {
        guard
            let row = try connection.query(
                """
                select v.dataset, v.sha256, v.object_key, v.size, v.spec->'source'->>'path' as path, d.spec->>'format' as format
                from dataset_versions v join datasets d on d.name = v.dataset where v.name = $1
                """, [version]
            ).first
        else { throw Problem.notFound("DatasetVersion \"\(version)\"") }
        guard let key = row["object_key"], let size = row.int("size") else {
            throw Problem(
                .conflict, title: "Content not stored",
                detail:
                    "DatasetVersion \"\(version)\" is external (a URL); the server holds no content to evaluate. Upload it, or evaluate it locally with dpctl quality check"
            )
        }
        let dataset = row["dataset"]!
        let rules = try connection.query(
            """
            select name, resource_version::text as rv, spec::text as spec from quality_rules where spec->>'dataset' = $1 order by name
            """, [dataset]
        ).map { (name: $0["name"]!, resourceVersion: $0["rv"]!, spec: ObjectJSON.parse($0["spec"])) }
        var chosen = rules
        if let ruleNames {
            for name in ruleNames where !rules.contains(where: { $0.name == name }) {
                throw Problem(
                    .unprocessableContent, title: "Unknown rule",
                    detail: "QualityRule \"\(name)\" does not check Dataset \"\(dataset)\"" + Suggest.hint(for: name, in: rules.map(\.name))
                )
            }
            chosen = rules.filter { ruleNames.contains($0.name) }
        }
        guard !chosen.isEmpty else {
            throw Problem(
                .unprocessableContent, title: "No rules",
                detail: "Dataset \"\(dataset)\" has no quality rules; create a QualityRule with spec.dataset: \(dataset)")
        }
        let fileName = row["path"].map { URL(fileURLWithPath: $0).lastPathComponent } ?? "\(version).\(row["format"] ?? "csv")"
        return Target(
            version: version, dataset: dataset, sha256: row["sha256"]!, objectKey: key, size: size, fileName: fileName, rules: chosen)
    }

    /// Runs a claimed evaluation and records it: DONE with its outcome, summary and stored
    /// report, its lineage edge and audit event, and (when it decides) the version's admission,
    /// all in one transaction. An evaluation that cannot run is recorded as ERROR, and its
    /// version, if it decides, Quarantined.
    func run(_ claim: EvaluationQueue.Claim, requestID: String) async throws -> JSONValue {
        do {
            return try await evaluate(claim, requestID: requestID)
        } catch {
            let message = (error as? Problem)?.detail ?? "\(error)"
            return try await pool.withTransaction { connection in
                try connection.query(
                    "update evaluations set state = 'ERROR', outcome = 'ERROR', error = $2, finished_at = now() where id = $1",
                    [claim.id, String(message.prefix(2000))])
                if claim.decidesAdmission {
                    try Admission.decide(
                        claim.version, evaluation: claim.id, outcome: "ERROR", failures: [], error: message, requestID: requestID,
                        on: connection)
                }
                return try Self.load(claim.id, on: connection) ?? .null
            }
        }
    }

    func evaluate(_ claim: EvaluationQueue.Claim, requestID: String) async throws -> JSONValue {
        let version = claim.version
        let target = try await pool.withConnection { try self.target(version: version, ruleNames: claim.rules, on: $0) }
        // Stored before Parquet was refused on write: never read as CSV.
        if EvaluableFormat.isParquet(target.fileName) {
            throw Problem(
                .unprocessableContent, title: "Cannot evaluate",
                detail: "DatasetVersion \"\(version)\" is Parquet (\(target.fileName)); \(EvaluableFormat.advice)")
        }
        let (path, temporary) = try await localCopy(target)
        defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }
        let inputs = target.rules.map { QualityRuleInput(name: $0.name, spec: $0.spec, checks: claim.checks) }
        let leading =
            FileHandle(forReadingAtPath: path).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: 2)
            } ?? Data()
        let format = DataFormat.detect(fileName: target.fileName, leadingBytes: Array(leading)) ?? .csv
        let report: EvaluationReport
        do {
            report = try await Self.io.run { try Evaluator.evaluate(fileAt: URL(fileURLWithPath: path), rules: inputs, format: format) }
        } catch {
            throw Problem(.unprocessableContent, title: "Cannot evaluate", detail: "DatasetVersion \"\(version)\": \(error)")
        }
        let reportBytes = Array(report.json.jsonString(pretty: true).utf8)
        let reportPath = spoolDirectory + "/report-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: reportPath, contents: Data(reportBytes)) else {
            throw Problem(.internalServerError, title: "Cannot write", detail: "the server cannot write to its spool folder")
        }
        defer { try? FileManager.default.removeItem(atPath: reportPath) }
        let (reportSHA, _) = try await FileDigest.sha256(path: reportPath)
        let reportKey = ObjectKey.forDigest(reportSHA)
        try await store.put(file: reportPath, key: reportKey, contentType: "application/json")

        // Each check's result without its sample rows (those stay in the stored report).
        let checks: [JSONValue] = report.checks.map { check in
            guard case .object(let members) = check.json else { return check.json }
            return .object(members.filter { $0.key != "sampleRows" })
        }
        let summary: JSONValue = [
            "rows": .int(Int64(report.rows)), "format": .string(report.format), "rules": .array(target.rules.map { .string($0.name) }),
            "checks": .array(checks), "issues": .int(Int64(report.issues.count)),
        ]
        let rules: JSONValue = .array(target.rules.map { ["name": .string($0.name), "resourceVersion": .string($0.resourceVersion)] })
        return try await pool.withTransaction { connection in
            try connection.query(
                """
                update evaluations set state = 'DONE', outcome = $2, summary = $3::jsonb, report_key = $4, report_sha256 = $5, rules = $6::jsonb,
                    finished_at = now() where id = $1
                """, [claim.id, report.outcome.rawValue, summary.jsonString(), reportKey, reportSHA, rules.jsonString()])
            try LineageStore.add(
                LineageEdge(
                    from: LineageNode(kind: "evaluation", name: claim.id), to: LineageNode(kind: "datasetversion", name: version),
                    relation: "evaluates"), on: connection)
            try AuditLog.append(
                AuditDraft(
                    actor: claim.actor, action: "evaluate", resource: ObjectRef(.datasetVersion, version).description, requestID: requestID,
                    after: [
                        "evaluation": .string(claim.id), "outcome": .string(report.outcome.rawValue),
                        "rules": .array(target.rules.map { .string($0.name) }), "trigger": .string(claim.trigger),
                    ]), on: connection)
            if claim.decidesAdmission {
                try Admission.decide(
                    version, evaluation: claim.id, outcome: report.outcome.rawValue, failures: Admission.failures(inSummary: checks),
                    requestID: requestID, on: connection)
            }
            return try Self.load(claim.id, on: connection)!
        }
    }

    /// The version's content as a local file: the store's own file, or a temporary download.
    func localCopy(_ target: Target) async throws -> (path: String, temporary: Bool) {
        if let file = store as? FileObjectStore { return (file.localPath(key: target.objectKey), false) }
        let path = spoolDirectory + "/evaluate-\(UUID().uuidString)"
        try await store.get(key: target.objectKey, range: nil, to: path)
        return (path, true)
    }

    /// An evaluation's id: its version's name and a random suffix.
    static func newID(for version: String) -> String { "\(version.prefix(180))-\(UUID().uuidString.prefix(8).lowercased())" }

    static let columns = """
        id, dataset, dataset_version, version_sha256, rules::text as rules, trigger, state, outcome, summary::text as summary, error,
        created_by, \(SQLTime.utc("created_at")),
        \(SQLTime.utc("finished_at"))
        """

    static func json(_ row: Row) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember("id", .string(row["id"]!)), JSONMember("dataset", .string(row["dataset"]!)),
            JSONMember("datasetVersion", .string(row["dataset_version"]!)), JSONMember("versionSha256", .string(row["version_sha256"]!)),
            JSONMember("rules", ObjectJSON.parse(row["rules"])), JSONMember("trigger", .string(row["trigger"]!)),
            JSONMember("state", .string(row["state"]!)),
        ]
        if let outcome = row["outcome"] { members.append(JSONMember("outcome", .string(outcome))) }
        if let error = row["error"] { members.append(JSONMember("error", .string(error))) }
        members += [
            JSONMember("summary", ObjectJSON.parse(row["summary"])), JSONMember("report", .string("/api/evaluations/\(row["id"]!)/report")),
            JSONMember("createdAt", .string(row["created_at"]!)), JSONMember("createdBy", .string(row["created_by"]!)),
        ]
        if let finished = row["finished_at"] { members.append(JSONMember("finishedAt", .string(finished))) }
        return .object(members)
    }

    static func load(_ id: String, on connection: Connection) throws -> JSONValue? {
        try connection.query("select \(columns) from evaluations where id = $1", [id]).first.map(json)
    }
}
