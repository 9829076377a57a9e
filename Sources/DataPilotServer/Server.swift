import ApplySets
import Audit
import DatasetRegistry
import Evidence
import Experiments
import Foundation
import Gateway
import Hummingbird
import Lineage
import Logging
import MLflowAPI
import Manifests
import ObjectAPI
import ObjectStore
import OpenLineage
import Postgres
import Prometheus
import Quality
import ServiceKit
import ServiceLifecycle
import Settings
import URLPolicy

/// The control plane in one process: it migrates the database, installs the bootstrap admin key,
/// and serves every route until SIGTERM or SIGINT, letting requests in flight finish; the
/// periodic background work runs beside it in one `ServiceGroup`.
public enum Server {
    public static let migrations =
        Idempotency.migrations + TokenAuthority.migrations + AuditLog.migrations
        + LineageStore.migrations + RegistrySchema.migrations + ObjectReferences.migrations + QualitySchema.migrations
        + ExperimentsSchema.migrations + ApplySetSchema.migrations + MLflowSchema.migrations + OpenLineageSchema.migrations

    /// Runs until SIGTERM or SIGINT. `metrics` is the registry the process bootstrapped
    /// swift-metrics with; `/metrics` exposes it.
    public static func run(_ configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry, logger: Logger) async throws {
        try configuration.check()
        if configuration.services == [.ui] { return try await runUIOnly(configuration, logger: logger) }
        let pool = ConnectionPool(conninfo: configuration.databaseURL, maxConnections: configuration.maxConnections)
        defer { pool.close() }
        do {
            let applied = try await Migrator.migrate(pool, migrations)
            if !applied.isEmpty {
                logger.info("applied migrations", metadata: ["versions": .string(applied.map(String.init).joined(separator: ","))])
            }
        } catch let error as PostgresError where error.code == .connection {
            throw SettingError("\(error.message); set --database-url or DATAPILOT_DATABASE_URL (postgres://user@host:port/db)")
        }
        if let key = try configuration.resolvedBootstrapKey() {
            if try await TokenAuthority.installBootstrapKey(key, pool: pool) { logger.info("installed the bootstrap admin key") }
        }
        let (credentials, evidenceKey) = try await ServerKeys.load(configuration, pool: pool, logger: logger)
        let data = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        // This process's own spool folder, locked while it lives (processes may share data-dir).
        let spoolFolder = try SpoolFolder.claim(in: data.appendingPathComponent("spool").path, logger: logger)
        defer { withExtendedLifetime(spoolFolder) {} }
        let spool = spoolFolder.path
        let store = try makeStore(configuration, data: data)
        if configuration.objectStore != "s3", !configuration.services.contains(.all) {
            logger.warning(
                "object-store file in a process that runs only some services: every process of this deployment must see the same folder",
                metadata: [
                    "objects": .string(data.appendingPathComponent("objects").path),
                    "fix": "mount one volume at every process's data-dir, or use object-store s3",
                ])
        }

        let runsDirectory = data.appendingPathComponent("runs").path
        try FileManager.default.createDirectory(atPath: runsDirectory, withIntermediateDirectories: true)
        try DataFolder.secure(data)
        var execution = ExecutionSettings(
            publicURL: configuration.effectivePublicURL, workDirectory: runsDirectory,
            heartbeatSeconds: max(0.25, min(10, Double(configuration.runHeartbeatTimeoutSeconds) / 4)),
            issueToken: { credentials.runToken(for: $0, uid: $1) })
        execution.enabled = configuration.executors
        execution.kubernetesNamespace = configuration.kubernetesNamespace
        execution.kubeconfig = configuration.kubeconfig
        execution.kubernetesJobRetentionSeconds = configuration.kubernetesJobRetentionSeconds
        if configuration.executors.contains(.local), configuration.runs(.experiments) {
            do {
                let launcher = try LocalLauncher(configuration.localExecutor)
                try launcher.checkReachable(runs: runsDirectory)
                execution.launcher = launcher
            } catch {
                throw SettingError("\(error)")
            }
            logger.warning(
                "the local executor is enabled: jobs run on this machine (one trusted team only; docs/security.md)",
                metadata: [
                    "user": .string(
                        execution.launcher?.switchTo.map { "\(configuration.localExecutor.user) (\($0.uid))" }
                            ?? "a user namespace of the server's user"),
                    "sandbox": .string(configuration.localExecutor.sandbox.rawValue),
                ])
        }
        let routed = BackgroundServices()
        let api = routes(
            pool: pool, store: store, credentials: credentials, spoolDirectory: spool,
            maxUploadBytes: configuration.maxUploadBytes, metrics: metrics,
            services: configuration.services, upstreams: configuration.upstreams,
            execution: execution, evidenceKey: evidenceKey, logger: logger, externalURLs: configuration.externalURLAllow,
            background: routed, reconcilerURL: configuration.reconcilerURL,
            auditCheckpoints: .init(everyEvents: configuration.auditCheckpointEvents, everySeconds: configuration.auditCheckpointSeconds),
            openLineageNamespace: configuration.openLineage.namespace)
        mountUI(on: api.router, configuration)
        var background = routed.all
        // OpenLineage events are made where the audit chain is (one emitter at a time, by advisory lock).
        if configuration.openLineage.enabled, configuration.runs(.audit) {
            background.append(
                LineageEmitter(
                    pool: pool, sinks: try LineageEmitter.sinks(configuration.openLineage), namespace: configuration.openLineage.namespace,
                    publicURL: configuration.effectivePublicURL,
                    attempts: configuration.openLineage.attempts, logger: logger))
        }
        if configuration.runs(.experiments) {
            background.append(Reaper(pool: pool, timeoutSeconds: configuration.runHeartbeatTimeoutSeconds, logger: logger))
            background.append(
                RunFolderCollector(
                    pool: pool, directory: runsDirectory, retentionSeconds: configuration.runFolderRetentionSeconds, logger: logger))
        }
        if configuration.runs(.quality) && configuration.autoEvaluate {
            background.append(
                EvaluationWorkers(
                    evaluations: Evaluations(pool: pool, store: store, spoolDirectory: spool), logger: logger,
                    count: configuration.evaluationWorkers))
        }

        var limits = configuration.connectionLimits
        limits.fitOpenFileLimit(logger: logger)
        let app = Application(
            router: api.router, server: limits.server(logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.effectivePort), serverName: "datapilot"),
            onServerRunning: { channel in
                logger.info(
                    "datapilot-server listening",
                    metadata: [
                        "address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"), "objects": .string(store.description),
                        "services": .string(configuration.services.map(\.rawValue).sorted().joined(separator: ",")),
                    ])
            },
            logger: logger)
        // Shut down in reverse: the listener first (requests in flight finish), then the background
        // services, each after the pass it is in.
        let services = ServiceGroup(
            configuration: .init(services: background + [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await services.run()
    }
}

extension Server {
    /// The configured object store; S3 credentials only from the standard AWS variables.
    static func makeStore(_ configuration: ServerConfiguration, data: URL) throws -> any ObjectStore {
        guard configuration.objectStore == "s3" else {
            return try FileObjectStore(root: data.appendingPathComponent("objects").path)
        }
        let environment = ProcessInfo.processInfo.environment
        guard !configuration.s3Bucket.isEmpty else { throw SettingError("object-store s3 needs s3-bucket") }
        guard let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
            throw SettingError("object-store s3 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
        }
        return try S3ObjectStore(
            S3ObjectStore.Configuration(
                endpoint: configuration.s3Endpoint, bucket: configuration.s3Bucket, region: configuration.s3Region,
                accessKeyId: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"],
                addressingStyle: configuration.s3Addressing == "virtual-host" ? .virtualHost : .path, keyPrefix: configuration.s3Prefix))
    }

    /// The router with every route and middleware of the control plane.
    /// The router of a process running `services`: their routes served here, and for a gateway,
    /// the routes of the other services forwarded to `upstreams`. `background` collects the periodic
    /// work the routes bring (the executors'), for the caller's service group.
    public static func routes(
        pool: ConnectionPool, store: any ObjectStore, credentials: TokenAuthority, spoolDirectory: String,
        maxUploadBytes: Int64, metrics: PrometheusCollectorRegistry,
        services: Set<ServerConfiguration.ServiceMode> = [.all],
        upstreams: [ServerConfiguration.ServiceMode: String] = [:],
        execution: ExecutionSettings = ExecutionSettings(
            publicURL: "http://127.0.0.1:8080", workDirectory: NSTemporaryDirectory(),
            heartbeatSeconds: 10, issueToken: { _, _ in "" }),
        evidenceKey: EvidenceKeyring = .generated(), logger: Logger = Logger(label: "datapilot"),
        externalURLs: ExternalURLPolicy = .standard, background: BackgroundServices? = nil,
        reconcilerURL: String? = nil, auditCheckpoints: AuditCheckpointer.Settings = .init(), openLineageNamespace: String = "datapilot"
    ) -> APIRouter {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: AuthMiddleware(credentials: credentials, pool: pool))
        let api = APIRouter(router: router)
        HealthRoutes(pool: pool, store: store).register(on: api)
        OperationsRoutes(metrics: metrics).register(on: api)
        let all = services.contains(.all)
        let gateway = all || services.contains(.gateway)
        if gateway { AuthRoutes(credentials: credentials, pool: pool).register(on: api) }
        // The reconciler's status and controls with the caller's credentials (docs/ui.md, Sources).
        if gateway { ReconcilerGatewayRoutes(baseURL: reconcilerURL).register(on: api) }
        func place(_ service: ServerConfiguration.ServiceMode) -> APIRouter? {
            if all || services.contains(service) { return api }
            guard gateway, let url = upstreams[service] else { return nil }
            let proxy = UpstreamProxy(name: service.rawValue, baseURL: url, spoolDirectory: spoolDirectory, maxBodyBytes: maxUploadBytes)
            return api.forwarding(to: proxy.handle)
        }
        var experimentTables: [BatchTable] = []
        if let router = place(.registry) {
            RegistryRoutes(
                pool: pool, store: store, spoolDirectory: spoolDirectory, maxUploadBytes: maxUploadBytes, externalURLs: externalURLs
            ).register(on: router)
            ApplySetRoutes(pool: pool).register(on: router)
        }
        if let router = place(.quality) {
            QualityRoutes(pool: pool, evaluations: Evaluations(pool: pool, store: store, spoolDirectory: spoolDirectory)).register(
                on: router)
        }
        if let router = place(.experiments) {
            let experiments = ExperimentRoutes(
                pool: pool, store: store, spoolDirectory: spoolDirectory, maxUploadBytes: maxUploadBytes,
                execution: execution, evidenceKey: evidenceKey, logger: logger)
            experiments.register(on: router)
            MLflowRoutes(pool: pool, experiments: experiments, spoolDirectory: spoolDirectory, maxUploadBytes: maxUploadBytes)
                .register(on: router)
            background?.add(experiments.services)
            experimentTables = experiments.batchTables
        }
        if let router = place(.audit) {
            let checkpointer = AuditCheckpointer(
                pool: pool, checkpoints: AuditCheckpoints(pool: pool, store: store), keys: evidenceKey, settings: auditCheckpoints,
                logger: logger)
            AuditRoutes(pool: pool, checkpointer: checkpointer).register(on: router)
            // The checkpoints are signed where the audit service runs, not by a gateway forwarding it.
            if all || services.contains(.audit) { background?.add([checkpointer]) }
            // Any process running audit may seal; one at a time, by advisory lock (Audit/AuditSealer.swift).
            if all || services.contains(.audit) { background?.add([AuditSealer(pool: pool, logger: logger)]) }
        }
        let openLineage = OpenLineageRoutes(pool: pool, namespace: openLineageNamespace, publicURL: execution.publicURL)
        openLineage.registerSchema(on: api)
        if let router = place(.lineage) {
            LineageRoutes(pool: pool).register(on: router)
            openLineage.register(on: router)
        }
        // `POST /api/batch` writes every kind in one transaction: only where all of them are served here.
        if all || [.registry, .quality, .experiments].allSatisfy(services.contains) {
            let tables = RegistryRoutes.batchTables(externalURLs: externalURLs) + QualityRoutes.batchTables + experimentTables
            BatchRoutes(pool: pool, tables: tables).register(on: api)
        }
        return api
    }
}

/// `/metrics` (Prometheus text format) and `/openapi.yaml` (this API's description).
struct OperationsRoutes: Sendable {
    let metrics: PrometheusCollectorRegistry

    func register(on router: APIRouter) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: ServerMetrics.exposition(metrics))))
        }
        router.get("/openapi.yaml") { _, _ in
            guard let document = OpenAPIDocument.text else {
                throw Problem(.internalServerError, title: "Missing document", detail: "this build carries no OpenAPI document")
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
    }
}

/// `docs/openapi.yaml`, carried as a resource of this module.
public enum OpenAPIDocument {
    public static let text: String? = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        .flatMap { try? String(contentsOf: $0, encoding: .utf8) }
}
