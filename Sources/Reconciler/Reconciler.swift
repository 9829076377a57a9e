import APIClient
import Foundation
import Hummingbird
import Logging
import Postgres
import ServiceKit
import Synchronization

/// `dpctl reconcile`: holds what sources it can (an advisory lock each), runs a worker per
/// held source, serves status, metrics and webhooks, and on SIGTERM or SIGINT finishes the
/// syncs in progress and releases its locks.
public final class Reconciler: Sendable {
    let configuration: ReconcilerConfiguration
    let logger: Logger
    let metrics: ReconcilerMetrics
    let pool: ConnectionPool
    let store: StatusStore
    let leases: Leases
    let client: APIClient
    let running = Mutex<[String: (worker: SourceWorker, task: Task<Void, Never>)]>([:])

    public init(configuration: ReconcilerConfiguration, logger: Logger, metrics: ReconcilerMetrics = ReconcilerMetrics()) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        pool = ConnectionPool(conninfo: configuration.databaseURL, maxConnections: 4)
        store = StatusStore(pool: pool)
        leases = Leases(conninfo: configuration.databaseURL)
        client = APIClient(server: configuration.server ?? "http://127.0.0.1:8080", token: configuration.token)
    }

    /// Runs until a signal (or, with `once`, until every source synced once). Returns whether
    /// every sync succeeded (for `once`).
    public func run() async throws -> Bool {
        defer { pool.close() }
        do {
            _ = try await Migrator.migrate(pool, StatusStore.migrations + WebhookDeliveries.migrations)
            try await store.register(configuration.sources)
        } catch {
            throw ConfigurationError("cannot use the status database (\(error)); check database-url / DATAPILOT_DATABASE_URL")
        }
        try FileManager.default.createDirectory(atPath: configuration.cacheDirectory, withIntermediateDirectories: true)
        if configuration.once { return await runOnce() }

        let routes = ReconcilerRoutes(store: store, metrics: metrics, sources: Dictionary(uniqueKeysWithValues: configuration.sources.map { ($0.name, $0) }),
                                      deliveries: WebhookDeliveries(pool: pool), ring: { [self] name in ring(name) })
        var limits = ConnectionLimits.standard  // header, idle, body timeouts and a cap, as the server's defaults
        limits.fitOpenFileLimit(logger: logger)
        let app = Application(router: routes.router(), server: limits.server(logger: logger),
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "datapilot-reconciler"),
                              onServerRunning: { [logger, configuration] channel in
                                  logger.info("dpctl reconcile listening", metadata: [
                                      "address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"),
                                      "sources": .string(configuration.sources.map(\.name).joined(separator: ",")),
                                      "replica": .string(configuration.replica),
                                  ])
                              },
                              logger: logger)
        let stop = Wakeup()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in await supervise(until: stop) }
            group.addTask {
                defer { stop.stop() }
                try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            }
            try await group.waitForAll()
        }
        return true
    }

    /// Takes free sources every second, starts their workers, notices lost leases and
    /// webhook poll requests that reached other replicas. On stop: workers finish, locks go.
    func supervise(until stop: Wakeup) async {
        var since = "1970-01-01T00:00:00Z"
        while !stop.isStopped {
            let held = running.withLock { Set($0.keys) }
            if !held.isEmpty, await !leases.alive() {
                logger.error("lost the lease connection; stopping every worker (another replica may take the sources)")
                await stopWorkers()
            }
            for source in configuration.sources where running.withLock({ $0[source.name] == nil }) {
                guard await leases.tryAcquire(source.name) else { metrics.sourceOwned(source.name, false); continue }
                start(source)
            }
            if let requests = try? await store.pollRequests(since: since) {
                since = requests.latest
                for name in requests.names { running.withLock { $0[name] }?.worker.wakeup.ring() }
            }
            await stop.wait(seconds: 1)
        }
        await stopWorkers()
        await leases.releaseAll()
    }

    /// Rings a held source's worker; false when another replica holds it.
    func ring(_ name: String) -> Bool {
        guard let worker = running.withLock({ $0[name]?.worker }) else { return false }
        worker.wakeup.ring()
        return true
    }

    func start(_ source: SourceConfiguration) {
        let worker = SourceWorker(configuration: source, cacheDirectory: configuration.cacheDirectory, client: client, store: store,
                                  metrics: metrics, logger: logger)
        let task = Task { await worker.run() }
        running.withLock { $0[source.name] = (worker, task) }
        metrics.sourceOwned(source.name, true)
        logger.info("holding source", metadata: ["source": .string(source.name)])
        Task { [store, replica = configuration.replica] in try? await store.claim(source.name, owner: replica) }
    }

    func stopWorkers() async {
        let all = running.withLock { running in
            defer { running.removeAll() }
            return Array(running.values)
        }
        for entry in all { entry.worker.wakeup.stop() }
        for entry in all {
            await entry.task.value
            await leases.release(entry.worker.configuration.name)
            metrics.sourceOwned(entry.worker.configuration.name, false)
        }
    }

    /// Every source once, each under its lock (waiting up to a minute for one another replica holds).
    func runOnce() async -> Bool {
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
            let worker = SourceWorker(configuration: source, cacheDirectory: configuration.cacheDirectory, client: client, store: store,
                                      metrics: metrics, logger: logger)
            let record = await worker.syncOnce(force: true)
            ok = ok && record?.result == "synced"
            await leases.release(source.name)
        }
        await leases.releaseAll()
        return ok
    }
}
