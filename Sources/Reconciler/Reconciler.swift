import APIClient
import APIModel
import Foundation
import Hummingbird
import Logging
import Notifications
import Postgres
import ServiceKit
import ServiceLifecycle
import Settings

/// `dpctl reconcile`: holds what sources it can (an advisory lock each), runs a worker per
/// held source, serves status, metrics and webhooks, and on SIGTERM or SIGINT finishes the
/// syncs in progress and releases its locks (a `ServiceGroup` of the supervisor and the listener).
public final class Reconciler: Sendable {
    let configuration: ReconcilerConfiguration
    let logger: Logger
    let metrics: ReconcilerMetrics
    let pool: ConnectionPool
    let store: StatusStore
    let leases: Leases
    let client: APIClient
    let held = HeldSources()
    /// Delivers each source's sync and drift events to its `notify:` targets.
    let notifier: Notifier
    /// The sources as last loaded; a reload of the sources file replaces them.
    let sources: SourceSet
    /// Suspended and pinned sources, and the commits' authors.
    let controls: SourceControls

    public init(configuration: ReconcilerConfiguration, logger: Logger, metrics: ReconcilerMetrics = ReconcilerMetrics()) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        pool = ConnectionPool(conninfo: configuration.databaseURL, maxConnections: 4)
        store = StatusStore(pool: pool)
        controls = SourceControls(pool: pool)
        sources = SourceSet(configuration.sources, file: configuration.sourcesFile)
        leases = Leases(conninfo: configuration.databaseURL)
        client = APIClient(
            server: configuration.server ?? "http://127.0.0.1:8080", token: configuration.token,
            timeoutSeconds: configuration.apiTimeoutSeconds)
        notifier = Notifier(
            targets: Dictionary(uniqueKeysWithValues: configuration.sources.map { ($0.name, $0.notify.map(\.target)) }),
            log: NotificationLog(pool: pool), logger: logger)
    }

    /// Runs until a signal (or, with `once`, until every source synced once). Returns whether
    /// every sync succeeded (for `once`).
    public func run() async throws -> Bool {
        defer { pool.close() }
        do {
            _ = try await Migrator.migrate(
                pool, StatusStore.migrations + WebhookDeliveries.migrations + NotificationLog.migrations + SourceControls.migrations)
            try await store.register(configuration.sources)
        } catch {
            throw SettingError("cannot use the status database (\(error)); check database-url / DATAPILOT_DATABASE_URL")
        }
        try FileManager.default.createDirectory(atPath: configuration.cacheDirectory, withIntermediateDirectories: true)
        if configuration.once { return await runOnce() }

        let routes = ReconcilerRoutes(
            store: store, metrics: metrics, sources: sources, deliveries: WebhookDeliveries(pool: pool),
            ring: { [self] name in ring(name) },
            notificationLog: NotificationLog(pool: pool),
            controls: ControlRoutes(
                controls: controls, store: store, sources: sources, operators: OperatorCheck(server: client.server),
                audit: { [client] in try await client.postEvent(SourceControlEvent.route, $0) }, ring: { [self] name in ring(name) }))
        var limits = ConnectionLimits.standard  // header, idle, body timeouts and a cap, as the server's defaults
        limits.fitOpenFileLimit(logger: logger)
        let app = Application(
            router: routes.router(), server: limits.server(logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "datapilot-reconciler"),
            onServerRunning: { [logger, configuration] channel in
                logger.info(
                    "dpctl reconcile listening",
                    metadata: [
                        "address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"),
                        "sources": .string(configuration.sources.map(\.name).joined(separator: ",")),
                        "replica": .string(configuration.replica),
                    ])
            },
            logger: logger)
        let supervisor = Supervisor(
            sources: sources, replica: configuration.replica, leases: leases, store: store, held: held,
            metrics: metrics, logger: logger, makeWorker: { [self] in worker(for: $0) })
        // The sources file, reloaded on change or SIGHUP (stops first).
        var reloader: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let file = configuration.sourcesFile, let load = configuration.reload {
            SourcesReloader.ignoreHangups()
            reloader = [.init(service: SourcesReloader(file: file, load: load, sources: sources, store: store, logger: logger))]
        }
        // Shut down in reverse: the listener first (no new webhooks), then the supervisor, whose
        // workers finish the syncs in progress before the locks go, then the notifier sends what
        // they reported; also when the listener fails.
        let services = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: notifier), .init(service: supervisor),
                    .init(service: app, failureTerminationBehavior: .gracefullyShutdownGroup),
                ] + reloader,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await services.run()
        return true
    }

    /// Rings a held source's worker; false when another replica holds it.
    func ring(_ name: String) -> Bool {
        guard let worker = held.worker(name) else { return false }
        worker.doorbell.ring()
        return true
    }

    func worker(for source: SourceConfiguration) -> SourceWorker {
        SourceWorker(
            configuration: source, source: GitManifestSource(spec: source.spec, cacheDirectory: configuration.cacheDirectory),
            client: client, store: store, metrics: metrics, logger: logger, notifications: notifier.isEmpty ? nil : notifier,
            controls: controls)
    }

    /// Every source once, each under its lock (waiting up to a minute for one another replica holds).
    func runOnce() async -> Bool {
        async let notified: Void = notifier.run()
        var ok = true
        for source in configuration.sources {
            let deadline = ContinuousClock.now + .seconds(60)
            var acquired = await leases.tryAcquire(source.name)
            while !acquired, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(500))
                acquired = await leases.tryAcquire(source.name)
            }
            guard acquired else {
                logger.error("another replica holds the source", metadata: ["source": .string(source.name)])
                ok = false
                continue
            }
            let record = await worker(for: source).syncOnce(force: true)
            ok = ok && record?.outcome == .synced
            await leases.release(source.name)
        }
        await leases.releaseAll()
        notifier.finish()
        await notified
        return ok
    }
}
