import Audit
import Foundation
import Hummingbird
import Manifests
import ObjectStore
import Postgres
import ServiceKit

/// A run's artifacts: files stored content-addressed in the object store and recorded per run
/// under a name. An artifact never changes: the same name with other content is refused.
struct ArtifactStore: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore
    let spoolDirectory: String

    /// The artifact the local executor writes: the run's stdout and stderr.
    static let logName = "run.log"

    static func checkName(_ name: String) throws {
        let allowed = name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || "._-".utf8.contains($0)
        }
        guard !name.isEmpty, name.utf8.count <= 200, allowed, !name.hasPrefix(".") else {
            throw Problem(
                .badRequest, title: "Bad artifact name",
                detail: "artifact names are 1 to 200 letters, digits, '.', '_' or '-', not starting with '.' (got \"\(name)\")")
        }
    }

    /// Stores the local file at `path` as `name` of `run` and records it (in its own transaction,
    /// audited). Answers the artifact's JSON and whether it was new.
    func record(
        run: String, name: String, path: String, sha256: String, size: Int64, contentType: String,
        actor: String, requestID: String
    ) async throws -> (artifact: JSONValue, created: Bool) {
        let key = ObjectKey.forDigest(sha256)
        try await store.put(file: path, key: key, contentType: contentType)
        return try await pool.withTransaction { connection in
            guard try !connection.query("select 1 from runs where name = $1 for share", [run]).isEmpty else {
                throw Problem.notFound("Run \"\(run)\"")
            }
            if let existing = try connection.query("select \(Self.columns) from run_artifacts where run = $1 and name = $2", [run, name])
                .first
            {
                guard existing["sha256"] == sha256 else {
                    throw Problem(
                        .conflict, title: "Artifact exists",
                        detail:
                            "run \"\(run)\" already has artifact \"\(name)\" with other content (sha256 \(existing["sha256"]!)); artifacts never change: upload under a new name"
                    )
                }
                return (Self.json(existing), false)
            }
            try connection.query(
                """
                insert into run_artifacts (run, name, object_key, sha256, size, content_type, created_by) values ($1, $2, $3, $4, $5, $6, $7)
                """, [run, name, key, sha256, String(size), contentType, actor])
            try connection.query("update runs set heartbeat_at = now() where name = $1 and state = 'RUNNING'", [run])
            let row = try connection.query("select \(Self.columns) from run_artifacts where run = $1 and name = $2", [run, name]).first!
            try AuditLog.append(
                AuditDraft(
                    actor: actor, action: "upload-artifact", resource: RunLedger.resource(run), requestID: requestID,
                    after: ["artifact": .string(name), "sha256": .string(sha256), "size": .int(size)]), on: connection)
            return (Self.json(row), true)
        }
    }

    static let columns = """
        name, object_key, sha256, size, content_type, created_by, \(SQLTime.utc("created_at"))
        """

    static func json(_ row: Row) -> JSONValue {
        [
            "name": .string(row["name"]!), "sha256": .string(row["sha256"]!), "size": .int(row.int("size") ?? 0),
            "contentType": .string(row["content_type"]!), "createdAt": .string(row["created_at"]!),
            "createdBy": .string(row["created_by"]!),
        ]
    }

    static func list(run: String, on connection: Connection) throws -> [Row] {
        try connection.query("select \(columns) from run_artifacts where run = $1 order by name", [run])
    }

    /// A stored object as a response body, streamed from a local file.
    func body(key: String, size: Int64) async throws -> ResponseBody {
        try await storedObjectBody(store, key: key, size: size, spoolDirectory: spoolDirectory)
    }
}

/// `PUT|GET /api/experiment-runs/{run}/artifacts/{artifact}` and the list.
struct ArtifactRoutes: Sendable {
    let pool: ConnectionPool
    let artifacts: ArtifactStore
    let maxUploadBytes: Int64

    func register(on router: APIRouter) {
        router.put("/api/experiment-runs/:run/artifacts/:artifact") { request, context in
            let (run, name) = (try context.parameters.require("run"), try context.parameters.require("artifact"))
            if context.principal == nil { try context.require(.editor) }  // 401 before any other answer
            try ArtifactStore.checkName(name)
            guard name != ArtifactStore.logName else {
                throw Problem(
                    .conflict, title: "Reserved name",
                    detail: "\(ArtifactStore.logName) is the executor's capture of the run's output; upload under another name")
            }
            let principal = try await pool.withConnection { connection in
                let principal = try RunAccess.require(context, run: run, .report, on: connection)
                try TelemetryRoutes.requireRun(run, on: connection)
                return principal
            }
            let expected = request.uri.queryParameters["sha256"].map(String.init)
            let spooled = try await SpooledBody.receive(request, into: artifacts.spoolDirectory, limit: maxUploadBytes)
            defer { spooled.discard() }
            if let expected, expected != spooled.sha256 {
                throw Problem(
                    .unprocessableContent, title: "Digest mismatch",
                    detail: "the body's sha256 is \(spooled.sha256), not the expected \(expected); the upload was discarded")
            }
            let result = try await artifacts.record(
                run: run, name: name, path: spooled.path, sha256: spooled.sha256, size: spooled.size,
                contentType: request.headers[.contentType] ?? "application/octet-stream",
                actor: principal.subject, requestID: context.requestID)
            return Response.json(result.artifact, status: result.created ? .created : .ok)
        }
        router.get("/api/experiment-runs/:run/artifacts") { _, context in
            let run = try context.parameters.require("run")
            let rows = try await pool.withConnection { connection in
                try RunAccess.require(context, run: run, .read, on: connection)
                try TelemetryRoutes.requireRun(run, on: connection)
                return try ArtifactStore.list(run: run, on: connection)
            }
            return Response.json(["items": .array(rows.map(ArtifactStore.json))])
        }
        router.get("/api/experiment-runs/:run/artifacts/:artifact") { request, context in try await download(request, context) }
        router.head("/api/experiment-runs/:run/artifacts/:artifact") { request, context in try await download(request, context) }
    }

    /// The artifact, whole or one byte range of it; HEAD answers the headers alone.
    func download(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (run, name) = (try context.parameters.require("run"), try context.parameters.require("artifact"))
        let row = try await pool.withConnection { connection in
            try RunAccess.require(context, run: run, .read, on: connection)
            return try connection.query("select \(ArtifactStore.columns) from run_artifacts where run = $1 and name = $2", [run, name])
                .first
        }
        guard let row, let size = row.int("size") else { throw Problem.notFound("artifact \"\(name)\" of run \"\(run)\"") }
        let stored = StoredDownload(
            key: row["object_key"]!, size: size, sha256: row["sha256"]!, contentType: row["content_type"]!, filename: name,
            what: "this artifact")
        return try await stored.response(to: request, context: context, store: artifacts.store, spoolDirectory: artifacts.spoolDirectory)
    }
}
