import Audit
import DatasetRegistry
import Foundation
import Gateway
import Hummingbird
import Lineage
import Logging
import ObjectStore
import Postgres
import Manifests
import ServiceKit

/// The control plane in one process: it migrates the database, installs the bootstrap admin key,
/// and serves every route until SIGTERM or SIGINT, letting requests in flight finish.
public enum Server {
    public static let migrations = Idempotency.migrations + Credentials.migrations + AuditLog.migrations
        + LineageStore.migrations + RegistrySchema.migrations

    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let pool = ConnectionPool(conninfo: configuration.databaseURL, maxConnections: configuration.maxConnections)
        defer { pool.close() }
        do {
            let applied = try await Migrator.migrate(pool, migrations)
            if !applied.isEmpty { logger.info("applied migrations", metadata: ["versions": .string(applied.map(String.init).joined(separator: ","))]) }
        } catch let error as PostgresError where error.code == .connection {
            throw ConfigurationProblem("\(error.message); set --database-url or DATAPILOT_DATABASE_URL (postgres://user@host:port/db)")
        }
        if let key = try configuration.resolvedBootstrapKey() {
            if try await Credentials.installBootstrapKey(key, pool: pool) { logger.info("installed the bootstrap admin key") }
        }
        let credentials = try await Credentials.load(pool: pool, tokenLifetime: TimeInterval(configuration.tokenLifetimeSeconds))
        let data = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        let spool = data.appendingPathComponent("spool").path
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let store = try FileObjectStore(root: data.appendingPathComponent("objects").path)

        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AuthMiddleware(credentials: credentials, pool: pool))
        HealthRoutes(pool: pool, store: store).register(on: router)
        AuthRoutes(credentials: credentials, pool: pool).register(on: router)
        RegistryRoutes(pool: pool, store: store, spoolDirectory: spool, maxUploadBytes: configuration.maxUploadBytes).register(on: router)
        AuditRoutes(pool: pool).register(on: router)
        LineageRoutes(pool: pool).register(on: router)

        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "datapilot"),
            onServerRunning: { channel in
                logger.info("datapilot-server listening", metadata: ["address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"),
                                                                     "objects": .string(store.description)])
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// `/healthz` (the process answers) and `/readyz` (Postgres and the object store answer too).
struct HealthRoutes: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore

    func register(on router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            var checks: [JSONMember] = []
            var ready = true
            do {
                try await pool.withConnection { try $0.query("select 1") }
                checks.append(JSONMember("database", "ok"))
            } catch {
                ready = false
                checks.append(JSONMember("database", .string("\(error)")))
            }
            do {
                try await store.checkReachable()
                checks.append(JSONMember("objectStore", "ok"))
            } catch {
                ready = false
                checks.append(JSONMember("objectStore", .string("\(error)")))
            }
            return Response.json(["status": .string(ready ? "ok" : "unavailable"), "checks": .object(checks)],
                                 status: ready ? .ok : .serviceUnavailable)
        }
    }
}
