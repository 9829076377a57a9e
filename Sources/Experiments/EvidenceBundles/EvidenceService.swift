import Audit
import Crypto
import Evidence
import Foundation
import Logging
import Manifests
import ObjectStore
import Postgres
import ServiceKit

/// Builds a run's evidence bundle: SLSA provenance for what the run produced, a test-result
/// statement for each quality evaluation of its inputs, and an anchor into the audit chain
/// covering the run's events; each statement signed with the signing key of the server's evidence
/// keyring (from a key file, never the database), stored in the object store with a markdown
/// report, and audited.
public struct EvidenceService: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore
    let keys: EvidenceKeyring
    let server: String
    let spoolDirectory: String

    init(pool: ConnectionPool, store: any ObjectStore, keys: EvidenceKeyring, server: String, spoolDirectory: String) {
        self.pool = pool
        self.store = store
        self.keys = keys
        self.server = server
        self.spoolDirectory = spoolDirectory
    }

    struct Gathered: Sendable {
        var run: RunRecord
        var artifacts: [Row]
        var evaluations: [Row]
        var events: [AuditEvent]
        var head: (sequence: Int64, hash: String)
    }

    /// Builds, signs and stores a bundle for `run`; answers its record.
    func build(run: String, actor: String, requestID: String) async throws -> JSONValue {
        // The run's events and the anchor come from the sealed chain: seal what was committed first.
        try await AuditSealer.catchUp(pool: pool)
        let gathered = try await pool.withConnection { connection -> Gathered in
            guard let record = try RunRecord.load(run, on: connection) else { throw Problem.notFound("Run \"\(run)\"") }
            guard record.state.isFinal else {
                throw Problem(
                    .conflict, title: "Run not finished",
                    detail: "Run \"\(run)\" is \(record.state.rawValue); evidence is built once the run has finished")
            }
            let versions = record.inputs.strings("datasetVersion")
            let evaluations = try connection.query(
                """
                select distinct on (dataset_version) id, dataset, dataset_version, version_sha256, outcome, summary::text as summary, report_sha256,
                    \(SQLTime.utc("finished_at"))
                from evaluations where dataset_version = any($1::text[]) and outcome is not null
                  and ($2::timestamptz is null or finished_at <= $2::timestamptz)
                order by dataset_version, finished_at desc
                """, [PostgresArray.text(versions), record.finishedAt])
            let events = try AuditLog.events(AuditFilter(resource: RunLedger.resource(run), limit: 100_000), on: connection)
            guard
                let head = try connection.query(
                    "select sequence, hash from audit_events where sequence is not null order by sequence desc limit 1"
                ).first
            else {
                throw Problem(.conflict, title: "Empty audit log", detail: "the audit log has no entries to anchor to")
            }
            return Gathered(
                run: record, artifacts: try ArtifactStore.list(run: run, on: connection), evaluations: evaluations,
                events: events, head: (head.int("sequence")!, head["hash"]!))
        }
        let statements = EvidenceStatements(gathered: gathered)
        let envelopes = [statements.provenance] + statements.testResults + [statements.anchor]
        let id = "\(run.prefix(180))-\(UUID().uuidString.prefix(8).lowercased())"
        let now = ISO8601DateFormatter().string(from: Date())
        let bundle = EvidenceBundle(
            id: id, run: run, createdAt: now, server: server,
            envelopes: try envelopes.map { try Envelope.sign(statement: $0, with: keys.signer) })
        let bundleBytes = Array(bundle.json.jsonString(pretty: true).utf8)
        let report = EvidenceReport.markdown(bundle: bundle, gathered: gathered, statements: envelopes)
        let (bundleKey, bundleSHA) = try await put(bundleBytes, contentType: EvidenceBundle.mediaType)
        let (reportKey, _) = try await put(Array(report.utf8), contentType: "text/markdown; charset=utf-8")
        return try await pool.withTransaction { connection in
            try connection.query(
                """
                insert into evidence_bundles (id, run, object_key, report_key, sha256, size, created_by) values ($1, $2, $3, $4, $5, $6, $7)
                """, [id, run, bundleKey, reportKey, bundleSHA, String(bundleBytes.count), actor])
            try AuditLog.append(
                AuditDraft(
                    actor: actor, action: "create-evidence", resource: RunLedger.resource(run), requestID: requestID,
                    after: [
                        "bundle": .string(id), "sha256": .string(bundleSHA),
                        "anchor": ["sequence": .int(gathered.head.sequence), "hash": .string(gathered.head.hash)],
                    ]),
                on: connection)
            return try Self.record(id: id, on: connection)!
        }
    }

    func put(_ bytes: [UInt8], contentType: String) async throws -> (key: String, sha256: String) {
        let path = spoolDirectory + "/evidence-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw Problem(.internalServerError, title: "Cannot write", detail: "the server cannot write to its spool folder")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sha = Hex.encode(SHA256.hash(data: bytes))
        let key = ObjectKey.forDigest(sha)
        try await store.put(file: path, key: key, contentType: contentType)
        return (key, sha)
    }

    static let columns = """
        id, run, object_key, report_key, sha256, size, created_by, \(SQLTime.utc("created_at"))
        """

    static func json(_ row: Row) -> JSONValue {
        let base = "/api/experiment-runs/\(row["run"]!)/evidence-bundles/\(row["id"]!)"
        return [
            "id": .string(row["id"]!), "run": .string(row["run"]!), "sha256": .string(row["sha256"]!), "size": .int(row.int("size") ?? 0),
            "createdAt": .string(row["created_at"]!), "createdBy": .string(row["created_by"]!),
            "bundle": .string(base), "report": .string(base + "/report"),
        ]
    }

    static func record(id: String, on connection: Connection) throws -> JSONValue? {
        try connection.query("select \(columns) from evidence_bundles where id = $1", [id]).first.map(json)
    }
}
