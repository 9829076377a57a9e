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
        // A rule that changes re-decides its dataset's latest version (and those never checked).
        beforeDelete: { name, connection in
            if let dataset = try connection.query("select spec->>'dataset' as dataset from quality_rules where name = $1", [name]).first?[
                "dataset"]
            {
                try Admission.rulesChanged(dataset: dataset, rule: name, on: connection)
            }
        },
        onWrite: { name, before, spec, connection in
            try RuleFormat.check(spec, on: connection)
            let datasets = Set([before?["dataset"]?.stringValue, spec["dataset"]?.stringValue].compactMap { $0 })
            for dataset in datasets.sorted() { try Admission.rulesChanged(dataset: dataset, rule: name, on: connection) }
        })

    /// Quality rules, for `POST /api/batch`.
    public static var batchTables: [BatchTable] { [BatchTable(Self.qualityRules)] }

    public func register(on router: APIRouter) {
        ObjectRoutes(pool: pool, table: Self.qualityRules).register(on: router)
        EvaluationRoutes(pool: pool, evaluations: evaluations).register(on: router)
        RuleDryRunRoute(pool: pool, evaluations: evaluations).register(on: router)
    }
}
