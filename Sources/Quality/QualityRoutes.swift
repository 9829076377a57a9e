import Lineage
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// The Quality service's routes: quality rules, each checking one dataset (`/api/qualityrules`), and evaluations.
public struct QualityRoutes: Sendable {
    let pool: ConnectionPool
    let evaluations: Evaluations

    public init(pool: ConnectionPool, evaluations: Evaluations) {
        self.pool = pool
        self.evaluations = evaluations
    }

    static let qualityRules = ResourceTable(
        kind: .qualityRule, collection: "/api/qualityrules",
        references: { spec in
            spec["dataset"]?.stringValue.map { [ObjectReference(kind: .dataset, name: $0, path: "spec.dataset", mustExist: true)] } ?? []
        },
        edges: { name, spec in
            spec["dataset"]?.stringValue.map {
                [
                    LineageEdge(
                        from: LineageNode(kind: "qualityrule", name: name), to: LineageNode(kind: "dataset", name: $0), relation: "checks")
                ]
            } ?? []
        },
        relations: ["checks"],
        onWrite: { _, _, spec, connection in try RuleFormat.check(spec, on: connection) })

    /// Quality rules, for `POST /api/batch`.
    public static var batchTables: [BatchTable] { [BatchTable(Self.qualityRules)] }

    public func register(on router: APIRouter) {
        ObjectRoutes(pool: pool, table: Self.qualityRules).register(on: router)
        EvaluationRoutes(pool: pool, evaluations: evaluations).register(on: router)
        RuleDryRunRoute(pool: pool, evaluations: evaluations).register(on: router)
    }
}
