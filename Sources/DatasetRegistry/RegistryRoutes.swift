import Hummingbird
import ObjectAPI
import ObjectStore
import Postgres
import ServiceKit
import URLPolicy

/// The Dataset Registry's routes: datasets and their immutable versions.
public struct RegistryRoutes: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore
    let spoolDirectory: String
    let maxUploadBytes: Int64
    let externalURLs: ExternalURLPolicy

    public init(
        pool: ConnectionPool, store: any ObjectStore, spoolDirectory: String, maxUploadBytes: Int64 = 64 << 30,
        externalURLs: ExternalURLPolicy = .standard
    ) {
        self.pool = pool
        self.store = store
        self.spoolDirectory = spoolDirectory
        self.maxUploadBytes = maxUploadBytes
        self.externalURLs = externalURLs
    }

    /// Datasets and external versions, for `POST /api/batch` (files are uploaded one by one).
    public static func batchTables(externalURLs policy: ExternalURLPolicy) -> [BatchTable] {
        [
            BatchTable(DatasetRoutes.table),
            BatchTable(VersionRoutes.table, draft: { try VersionRoutes.externalDraft($0, policy: policy) }),
        ]
    }

    public func register(on router: APIRouter) {
        ObjectRoutes(pool: pool, table: DatasetRoutes.table).register(on: router)
        VersionRoutes(pool: pool, store: store, spoolDirectory: spoolDirectory, maxUploadBytes: maxUploadBytes, externalURLs: externalURLs)
            .register(on: router)
    }
}
