import Lineage
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// The Experiments service's routes: experiments (`/api/experiments`) and their runs (`/api/runs`).
public struct ExperimentRoutes: Sendable {
    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

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

    /// A run belongs to an experiment, which must exist, and reads dataset versions.
    static let runs = ResourceTable(
        kind: .run, collection: "/api/runs",
        references: { spec in
            spec["experiment"]?.stringValue.map { [ObjectReference(kind: .experiment, name: $0, path: "spec.experiment", mustExist: true)] } ?? []
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
            return edges
        },
        relations: ["belongs-to", "input"])

    public func register(on router: APIRouter) {
        ObjectRoutes(pool: pool, table: Self.experiments).register(on: router)
        ObjectRoutes(pool: pool, table: Self.runs).register(on: router)
    }
}
