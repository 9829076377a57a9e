import Evidence
import Foundation
import Lineage
import Logging
import Manifests
import ObjectAPI
import ObjectStore
import Postgres
import ServiceKit
import ServiceLifecycle

/// The Experiments service: experiments (`/api/experiments`), runs as manifests (`/api/runs`)
/// and as the run API (`/api/experiments/{name}/runs`, `/api/experiment-runs/...`): lifecycle,
/// telemetry, artifacts, execution and evidence bundles.
public struct ExperimentRoutes: Sendable {
    let pool: ConnectionPool
    let executors: Executors
    let artifacts: ArtifactStore
    let evidence: EvidenceService
    let maxUploadBytes: Int64

    public init(
        pool: ConnectionPool, store: any ObjectStore, spoolDirectory: String, maxUploadBytes: Int64,
        execution: ExecutionSettings, evidenceKey: EvidenceKeyring, logger: Logger
    ) {
        self.pool = pool
        self.maxUploadBytes = maxUploadBytes
        artifacts = ArtifactStore(pool: pool, store: store, spoolDirectory: spoolDirectory)
        let evidence = EvidenceService(
            pool: pool, store: store, keys: evidenceKey, server: execution.publicURL, spoolDirectory: spoolDirectory)
        self.evidence = evidence
        // `spec.evidence: true`: the bundle is built when the executed run has finished.
        executors = Executors(pool: pool, settings: execution, artifacts: artifacts, logger: logger) { record in
            guard record.spec["evidence"]?.boolValue == true else { return }
            do {
                _ = try await evidence.build(
                    run: record.name, actor: "executor:local", requestID: "evidence-\(UUID().uuidString.lowercased())")
            } catch {
                logger.error(
                    "cannot build the run's evidence bundle", metadata: ["run": .string(record.name), "error": .string("\(error)")])
            }
        }
    }

    /// Background work of the executors, to run beside the routes (`Server` does).
    public var services: [any Service] { executors.services }

    /// An experiment uses datasets (`spec.datasets`); a dataset an experiment uses is kept.
    static let experiments = ResourceTable(
        kind: .experiment, collection: "/api/experiments",
        references: { spec in
            spec["datasets"].map { $0.strings() }.map { names in
                names.enumerated().map { ObjectReference(kind: .dataset, name: $1, path: "spec.datasets[\($0)]", mustExist: false) }
            } ?? []
        },
        edges: { name, spec in
            (spec["datasets"]?.strings() ?? []).map {
                LineageEdge(from: LineageNode(kind: "experiment", name: name), to: LineageNode(kind: "dataset", name: $0), relation: "uses")
            }
        },
        relations: ["uses"])

    /// A run belongs to an experiment, which must exist, and reads dataset versions, which must
    /// exist too (they are pinned by digest when the run is written). Params are written once.
    /// `spec.execute: true` starts a new run through the first executor the operator enabled; it
    /// takes the executor role, and what a run executes (execute, command, image, code) is
    /// written once.
    var runs: ResourceTable {
        let executors = self.executors
        let enabled = executors.settings.enabled
        return ResourceTable(
            kind: .run, collection: "/api/runs",
            references: { spec in
                var references =
                    spec["experiment"]?.stringValue.map {
                        [ObjectReference(kind: .experiment, name: $0, path: "spec.experiment", mustExist: true)]
                    } ?? []
                for (index, version) in (spec["inputs"]?.strings("datasetVersion") ?? []).enumerated() {
                    references.append(
                        ObjectReference(kind: .datasetVersion, name: version, path: "spec.inputs[\(index)].datasetVersion", mustExist: true)
                    )
                }
                return references
            },
            edges: { name, spec in
                let run = LineageNode(kind: "run", name: name)
                var edges: [LineageEdge] = []
                if let experiment = spec["experiment"]?.stringValue {
                    edges.append(LineageEdge(from: run, to: LineageNode(kind: "experiment", name: experiment), relation: "belongs-to"))
                }
                for version in spec["inputs"]?.strings("datasetVersion") ?? [] {
                    edges.append(LineageEdge(from: run, to: LineageNode(kind: "datasetversion", name: version), relation: "input"))
                }
                if let repository = spec["code"]?["repository"]?.stringValue, let commit = spec["code"]?["commit"]?.stringValue {
                    edges.append(LineageEdge(from: run, to: LineageNode(kind: "commit", name: "\(repository)@\(commit)"), relation: "code"))
                }
                if let reference = spec["image"]?["reference"]?.stringValue, let digest = spec["image"]?["digest"]?.stringValue {
                    edges.append(LineageEdge(from: run, to: LineageNode(kind: "image", name: "\(reference)@\(digest)"), relation: "image"))
                }
                return edges
            },
            relations: ["belongs-to", "input", "code", "image"],
            beforeDelete: { name, connection in
                if let record = try RunRecord.load(name, on: connection), record.state == .running {
                    throw Problem(
                        .conflict, title: "Run is running",
                        detail: "Run \"\(name)\" is RUNNING; cancel it (POST /api/experiment-runs/\(name)/cancel) before deleting it")
                }
            },
            onWrite: { name, before, spec, connection in
                if let before { try ExecutionPolicy.checkUnchanged(name, before: before, after: spec) }
                if let before { try Self.checkParams(name, before: before["params"], after: spec["params"], on: connection) }
                try RunInputs.write(run: name, spec: spec, on: connection)
            },
            afterCreate: { name, spec in
                guard RunExecution.executesOnCreate(spec) else { return }
                // Inputs still being evaluated: it waits QUEUED, and HeldRuns starts it once they are admitted.
                await executors.startWhenAdmitted(name, requestID: "execute-on-create-\(UUID().uuidString.lowercased())")
            },
            authorize: { principal, before, spec in
                // Starting code on creation is the executor's privilege, and needs an enabled executor:
                // refused before anything is written.
                guard before == nil, RunExecution.executesOnCreate(spec) else { return }
                try ExecutionPolicy.requireExecutor(principal, "creating a run with spec.execute: true")
                _ = try ExecutionPolicy.choose(nil, enabled: enabled)
            },
            listFilters: [ListFilter("state", column: "state", values: RunState.allCases.map(\.rawValue))])
    }

    /// Params are written once, per key: a key's value never changes and no key goes away. A live
    /// run (QUEUED or RUNNING) may gain keys, as training code logs them (the MLflow API's
    /// log-param); a finished run's params never change.
    static func checkParams(_ name: String, before: JSONValue?, after: JSONValue?, on connection: Connection) throws {
        let (old, new) = (before?.objectValue ?? [], after?.objectValue ?? [])
        if JSONValue.object(old).canonicalJSON == JSONValue.object(new).canonicalJSON { return }
        let kept = old.allSatisfy { member in new.first { $0.key == member.key }?.value.canonicalJSON == member.value.canonicalJSON }
        let live = try connection.query("select 1 from runs where name = $1 and state in ('QUEUED', 'RUNNING')", [name]).first != nil
        guard kept, live else {
            throw Problem(
                .conflict, title: "Params are written once",
                detail:
                    "Run \"\(name)\" already has params \(JSONValue.object(old).jsonString()); params never change (a live run may only gain new keys): create a new run with the new params"
            )
        }
    }

    /// Experiments and runs, for `POST /api/batch` (a run that executes on creation starts after the batch commits).
    public var batchTables: [BatchTable] { [BatchTable(Self.experiments), BatchTable(runs)] }

    public func register(on router: APIRouter) {
        ObjectRoutes(pool: pool, table: Self.experiments).register(on: router)
        let runObjects = ObjectRoutes(pool: pool, table: runs)
        runObjects.register(on: router)
        ExecuteRoute(executors: executors).register(on: router)
        RunRoutes(pool: pool, objects: runObjects, executors: executors).register(on: router)
        TelemetryRoutes(pool: pool).register(on: router)
        ArtifactRoutes(pool: pool, artifacts: artifacts, maxUploadBytes: maxUploadBytes).register(on: router)
        EvidenceRoutes(pool: pool, evidence: evidence, artifacts: artifacts).register(on: router)
    }
}
