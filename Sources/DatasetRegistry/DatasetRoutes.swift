import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// Datasets: create, get, list, update (ETag / If-Match), delete; a dataset with versions, or
/// one that other objects refer to, is kept.
enum DatasetRoutes {
    static let table = ResourceTable(
        kind: .dataset, collection: "/api/datasets",
        beforeDelete: { name, connection in
            let versions = try connection.query("select count(*) as n from dataset_versions where dataset = $1", [name]).first!.int("n")!
            guard versions == 0 else {
                throw Problem(
                    .conflict, title: "Dataset has versions",
                    detail:
                        "Dataset \"\(name)\" has \(versions) version(s); versions are immutable records and are kept, so the dataset is too"
                )
            }
        })

    static func load(_ name: String, forUpdate: Bool = false, on connection: Connection) throws -> JSONValue? {
        try table.load(name, forUpdate: forUpdate, on: connection)
    }
}
