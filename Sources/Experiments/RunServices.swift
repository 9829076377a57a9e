import Foundation
import Hummingbird
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// The run operations other modules build on (the MLflow-compatible API): the same access rule,
/// tables and audited writes as the run API, so what they write is a DataPilot run's own.
public struct RunServices: Sendable {
    public let experimentObjects: ObjectRoutes
    public let runObjects: ObjectRoutes
    let artifacts: ArtifactStore

    public init(_ routes: ExperimentRoutes) {
        experimentObjects = ObjectRoutes(pool: routes.pool, table: ExperimentRoutes.experiments)
        runObjects = ObjectRoutes(pool: routes.pool, table: routes.runs)
        artifacts = routes.artifacts
    }

    /// What a caller does to a run.
    public enum Need: Sendable {
        case read, report
    }

    /// People by role (viewer reads, editor reports); a run-scoped token only for its own live run.
    @discardableResult
    public static func requireAccess(_ context: APIRequestContext, run: String, _ need: Need, on connection: Connection) throws
        -> Principal
    {
        try RunAccess.require(context, run: run, need == .read ? .read : .report, on: connection)
    }

    /// One metric point; `millis` is epoch milliseconds.
    public struct MetricPoint: Sendable, Hashable {
        public var key: String
        public var value: Double
        public var step: Int64
        public var millis: Int64

        public init(key: String, value: Double, step: Int64, millis: Int64) {
            self.key = key
            self.value = value
            self.step = step
            self.millis = millis
        }
    }

    /// Writes points into `run_metrics` (a point sent again adds nothing), audited as `log-metrics`.
    @discardableResult
    public static func logMetrics(_ points: [MetricPoint], run: String, actor: String, requestID: String, on connection: Connection)
        throws -> Int
    {
        guard !points.isEmpty else { return 0 }
        let batch = MetricBatch(points: points.map { MetricBatch.Point(key: $0.key, value: $0.value, step: $0.step, millis: $0.millis) })
        return try MetricStore.write(batch, run: run, actor: actor, requestID: requestID, on: connection).accepted
    }

    /// The latest point of every key of `run` (by step, then time).
    public static func latestMetrics(run: String, on connection: Connection) throws -> [MetricPoint] {
        try MetricStore.latest(run: run, on: connection).compactMap(Self.point)
    }

    /// Up to `limit` points of one key in (step, time) order, after `after` (step, millis).
    public static func metricHistory(
        run: String, key: String, after: (step: Int64, millis: Int64)?, limit: Int, on connection: Connection
    ) throws -> [MetricPoint] {
        try MetricStore.history(run: run, key: key, after: after.map { ($0.step, $0.millis) }, limit: limit, on: connection)
            .compactMap { Self.point(MetricStore.point($0)) }
    }

    static func point(_ json: JSONValue) -> MetricPoint? {
        guard let key = json["key"]?.stringValue, let value = json["value"]?.numberValue else { return nil }
        return MetricPoint(
            key: key, value: value, step: Int64(json["step"]?.numberValue ?? 0), millis: Int64(json["timestamp"]?.numberValue ?? 0))
    }

    /// The runs of the experiments named, oldest first.
    public static func runs(ofExperiments experiments: [String], on connection: Connection) throws -> [RunRecord] {
        try connection.query(
            "select \(RunRecord.columns) from runs where spec->>'experiment' = any($1::text[]) order by created_at, name",
            [PostgresArray.text(experiments)]
        ).map(RunRecord.init)
    }

    /// An artifact as `run_artifacts` holds it.
    public struct Artifact: Sendable {
        public var name: String
        public var size: Int64
        public var sha256: String
    }

    /// Stores the spooled file as artifact `name` of `run` (content-addressed, audited); the same
    /// name with other content is refused (409), as the run API refuses it.
    public func recordArtifact(
        run: String, name: String, spooled: SpooledBody, contentType: String, actor: String, requestID: String
    ) async throws {
        _ = try await artifacts.record(
            run: run, name: name, path: spooled.path, sha256: spooled.sha256, size: spooled.size, contentType: contentType,
            actor: actor, requestID: requestID)
    }

    /// Every artifact of `run`, by name.
    public static func artifacts(run: String, on connection: Connection) throws -> [Artifact] {
        try ArtifactStore.list(run: run, on: connection).map {
            Artifact(name: $0["name"]!, size: $0.int("size") ?? 0, sha256: $0["sha256"]!)
        }
    }

    /// The artifact `name` of `run` as a download (ranges, HEAD), or nil when there is none.
    public func artifactDownload(_ request: Request, context: APIRequestContext, run: String, name: String) async throws -> Response? {
        let row = try await artifacts.pool.withConnection { connection in
            try connection.query("select \(ArtifactStore.columns) from run_artifacts where run = $1 and name = $2", [run, name]).first
        }
        guard let row, let size = row.int("size") else { return nil }
        let stored = StoredDownload(
            key: row["object_key"]!, size: size, sha256: row["sha256"]!, contentType: row["content_type"]!,
            filename: String(name.split(separator: "/").last ?? Substring(name)), what: "this artifact")
        return try await stored.response(to: request, context: context, store: artifacts.store, spoolDirectory: artifacts.spoolDirectory)
    }
}

extension MetricBatch {
    init(points: [Point]) { self.points = points }
}
