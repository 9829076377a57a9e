import APIModel
import APIClient
import Foundation
import GitSource
import Logging
import Manifests
import Reconcile

/// One source's loop while this replica holds it: resolve (ls-remote first), and when the
/// commit changed or a resync is due, snapshot, validate, plan and apply through the engine,
/// then record status, history, the audit sync event and metrics. An invalid commit is never
/// applied: the last good commit stays applied and the error (file:line) is reported.
actor SourceWorker {
    let configuration: SourceConfiguration
    let git: GitSource
    let client: APIClient
    let store: StatusStore
    let metrics: ReconcilerMetrics
    let logger: Logger
    nonisolated let wakeup = Wakeup()

    private var previous: Snapshot?
    private var lastApplied: String?
    /// An invalid commit is reported once; polls skip it until the ref moves on.
    private var lastInvalid: String?
    private var lastFullSync: ContinuousClock.Instant?
    private var failures = 0
    /// The drift last reported per object (its signature), so that a drift is recorded once.
    var reportedDrift: [ObjectRef: String] = [:]

    init(configuration: SourceConfiguration, cacheDirectory: String, client: APIClient, store: StatusStore,
         metrics: ReconcilerMetrics, logger: Logger) {
        self.configuration = configuration
        git = GitSource(spec: configuration.spec, cacheDirectory: cacheDirectory)
        self.client = client
        self.store = store
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "source"] = .string(configuration.name)
        self.logger = logger
    }

    /// Polls until stopped; the sync in progress when stop comes is finished first.
    func run() async {
        lastApplied = try? await store.lastApplied(configuration.name)
        while !wakeup.isStopped {
            let record = await syncOnce()
            let delay: Double
            if let record, record.result != "synced", record.result != "invalid" {
                failures += 1
                // Backoff on errors: 1 s, 2 s, 4 s ... up to the interval.
                delay = min(configuration.interval, pow(2, Double(failures - 1)))
            } else {
                if record != nil { failures = 0 }  // an invalid commit is not retried: it waits for the next one
                delay = configuration.interval * Double.random(in: 0.9...1.1)
            }
            await wakeup.wait(seconds: delay)
        }
    }

    /// One poll; nil when the remote's commit is the one applied and no resync is due.
    func syncOnce(force: Bool = false) async -> SyncRecord? {
        let started = Date()
        let clock = ContinuousClock.now
        var record = SyncRecord(source: configuration.name, commit: nil, result: "error", counts: [:], error: nil, started: started, duration: 0)
        var details: CommitDetails?
        do {
            let resolution = try await git.resolve()
            metrics.lsRemoteDuration(configuration.name, .microseconds(Int(resolution.lsRemoteSeconds * 1e6)))
            if let seconds = resolution.fetchSeconds { metrics.gitFetchDuration(configuration.name, .microseconds(Int(seconds * 1e6))) }
            let resyncDue = lastFullSync.map { ContinuousClock.now - $0 > .seconds(configuration.resync) } ?? true
            if !force, resolution.commit == lastApplied, !resyncDue, failures == 0 { return nil }
            if !force, resolution.commit == lastInvalid { return nil }
            if !force, resolution.commit == lastApplied, failures == 0 {
                // The commit is the one applied and a resync is due: a drift scan, not a sync.
                let snapshot = try await git.snapshot(commit: resolution.commit, previous: previous,
                                                      options: LoadOptions(recursive: true, allowExternalReferences: true))
                previous = snapshot
                if snapshot.manifests.isValid {
                    await scanDrift(snapshot)
                    lastFullSync = ContinuousClock.now
                    return nil
                }
            }
            record.commit = resolution.commit
            let snapshot = try await git.snapshot(commit: resolution.commit, previous: previous,
                                                  options: LoadOptions(recursive: true, allowExternalReferences: true))
            previous = snapshot
            details = snapshot.commit
            let executing = configuration.executeAllowed ? [] : ExecutionRequests.runs(in: snapshot.manifests.manifests)
            if !snapshot.manifests.isValid {
                record.result = "invalid"
                lastInvalid = resolution.commit
                let errors = snapshot.manifests.errors
                record.error = errors.prefix(5).map { "\($0.file):\($0.line):\($0.column): \($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)" }
                    .joined(separator: "\n") + (errors.count > 5 ? "\n(\(errors.count - 5) more)" : "")
                logger.error("commit is invalid; nothing applied, the last good commit stays", metadata: [
                    "commit": .string(resolution.commit), "errors": .string("\(errors.count)")])
            } else if !executing.isEmpty {
                // A commit that would start code from a source not trusted with it: refused whole.
                record.result = "invalid"
                lastInvalid = resolution.commit
                let refusals = ExecutionRequests.refusals(executing, source: configuration.name)
                record.error = refusals.prefix(5).joined(separator: "\n") + (refusals.count > 5 ? "\n(\(refusals.count - 5) more)" : "")
                logger.error("commit asks to execute runs and this source may not; nothing applied, the last good commit stays", metadata: [
                    "commit": .string(resolution.commit), "runs": .string(executing.map(\.name).joined(separator: ","))])
            } else {
                let author = "\(snapshot.commit.authorName) <\(snapshot.commit.authorEmail)>"
                let request = SyncRequest(manifests: snapshot.manifests.manifests, applySet: configuration.name, prune: configuration.prune,
                                          maxDeletes: configuration.maxDeletes,
                                          source: SourceInfo(repository: configuration.spec.url, commit: resolution.commit, author: author,
                                                             tool: "dpctl reconcile"),
                                          content: GitContent(snapshot: snapshot))
                let report = try await Sync(client: client).run(request)
                for outcome in [ApplyOutcome.created, .configured, .unchanged, .pruned, .refused, .failed, .skipped] {
                    let n = report.count(outcome)
                    if n > 0 { record.counts[outcome.rawValue] = n }
                }
                if report.failures.isEmpty {
                    record.result = "synced"
                    lastFullSync = ContinuousClock.now
                    metrics.lastApplied(configuration.name, commit: resolution.commit, previous: lastApplied)
                    lastApplied = resolution.commit
                } else {
                    record.result = "failed"
                    record.error = report.failures.prefix(5).map { "\($0.ref) \($0.outcome.rawValue): \($0.message ?? "")" }.joined(separator: "\n")
                }
                metrics.resources(configuration.name, counts: record.counts)
            }
        } catch let error as GitSourceError {
            record.result = "error"
            record.error = error.description
            metrics.gitError(configuration.name, kind: Self.kind(of: error))
            logger.error("git: \(error.description)")
        } catch let error as SyncError {
            record.result = "failed"
            record.error = error.description
            logger.error("sync: \(error.description)")
        } catch {
            record.result = "failed"
            record.error = "\(error)"
        }
        let elapsed = ContinuousClock.now - clock
        record.duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.reconcileDuration(configuration.name, elapsed)
        metrics.syncs(configuration.name, result: record.result)
        if record.result != "synced" { metrics.syncError(configuration.name, result: record.result) }
        do { try await store.record(record) } catch { logger.error("cannot record the sync's status: \(error)") }
        if let commit = record.commit { await recordAudit(record, commit: commit, details: details) }
        var metadata: Logger.Metadata = [
            "commit": .string(record.commit ?? "-"), "counts": .string(record.countsJSON.jsonString()),
            "seconds": .string(String(format: "%.3f", record.duration)),
        ]
        if let error = record.error { metadata["error"] = .string(error) }
        logger.info("sync \(record.result)", metadata: metadata)
        return record
    }

    static func kind(of error: GitSourceError) -> String {
        switch error.code {
        case .timeout: return "timeout"
        case .authentication: return "authentication"
        case .hostKey: return "host_key"
        case .notFound: return "not_found"
        case .network: return "network"
        case .invalidSpec: return "invalid_spec"
        case .tooLarge: return "too_large"
        default: return "other"
        }
    }

    /// The sync's audit event on the server: commit, author, message, result and counts.
    func recordAudit(_ record: SyncRecord, commit: String, details: CommitDetails?) async {
        let event = SyncEvent(source: configuration.name, commit: commit, result: SyncOutcome(rawValue: record.result) ?? .failed,
                              repository: configuration.spec.url, author: details.map { "\($0.authorName) <\($0.authorEmail)>" },
                              message: details?.message, error: record.error, counts: record.counts)
        do {
            _ = try await client.send("POST", SyncEvent.route, body: event)
        } catch {
            logger.warning("cannot record the sync in the audit log: \(error)")
        }
    }
}
