import Logging
import ServiceLifecycle
import Synchronization

/// The workers of the sources this replica holds, by source name (webhooks ring them).
final class HeldSources: Sendable {
    private let workers = Mutex<[String: SourceWorker]>([:])

    func worker(_ name: String) -> SourceWorker? { workers.withLock { $0[name] } }
    var names: Set<String> { workers.withLock { Set($0.keys) } }
    func add(_ worker: SourceWorker) { workers.withLock { $0[worker.configuration.name] = worker } }
    func remove(_ name: String) { workers.withLock { _ = $0.removeValue(forKey: name) } }
    func stopAll() { workers.withLock { $0.values.forEach { $0.doorbell.stop() } } }
}

/// Takes free sources every second and runs a worker for each held one (child tasks, so they
/// share its graceful shutdown); notices a lost lease connection and webhook poll requests
/// that reached other replicas. On graceful shutdown the workers finish their syncs, then the
/// locks go.
struct Supervisor: Service {
    /// The sources as last loaded (a reload changes them).
    let sources: SourceSet
    let replica: String
    let leases: Leases
    let store: StatusStore
    let held: HeldSources
    let metrics: ReconcilerMetrics
    let logger: Logger
    let makeWorker: @Sendable (SourceConfiguration) -> SourceWorker

    func run() async {
        let stop = Doorbell()
        var ticks = stop.listener()
        // The poll request counts last seen (at start none: a source ever asked rings once more).
        var requests: [String: Int64] = [:]
        await withGracefulShutdownHandler {
            while !stop.isStopped {
                // One lease connection's worth of held sources: ends when that connection is lost
                // (every lock with it) or on stop, once its workers have finished.
                await withDiscardingTaskGroup { group in
                    while !stop.isStopped {
                        if !held.names.isEmpty, await !leases.alive() {
                            logger.error("lost the lease connection; stopping every worker (another replica may take the sources)")
                            break
                        }
                        let current = sources.sources
                        // Removed or changed by a reload: the worker stops after its sync and the lease
                        // goes; a changed source is taken again on a later tick with its new settings.
                        for name in held.names where current.first(where: { $0.name == name }) != held.worker(name)?.configuration {
                            held.worker(name)?.doorbell.stop()
                        }
                        for source in current where held.worker(source.name) == nil {
                            guard await leases.tryAcquire(source.name) else {
                                metrics.sourceOwned(source.name, false)
                                continue
                            }
                            let worker = makeWorker(source)
                            held.add(worker)
                            metrics.sourceOwned(source.name, true)
                            logger.info("holding source", metadata: ["source": .string(source.name)])
                            group.addTask { await hold(worker) }
                        }
                        if let counts = try? await store.pollRequestCounts() {
                            for (name, count) in counts where count != requests[name, default: 0] {
                                held.worker(name)?.doorbell.ring()
                            }
                            requests = counts
                        }
                        _ = await ticks.wait(for: .seconds(1))
                    }
                    held.stopAll()
                }
            }
            await leases.releaseAll()
        } onGracefulShutdown: {
            stop.stop()
        }
    }

    /// Runs a held source's worker until it stops, then lets the source go.
    func hold(_ worker: SourceWorker) async {
        let name = worker.configuration.name
        try? await store.claim(name, owner: replica)
        await worker.run()
        await leases.release(name)
        metrics.sourceOwned(name, false)
        held.remove(name)
    }
}
