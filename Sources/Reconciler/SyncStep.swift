import APIModel
import GitSource
import SyncEngine

/// What the sync step (or a failure before it) ended with, for the record step.
struct SyncResult: Sendable {
    var outcome: SyncOutcome
    var counts: [String: Int] = [:]
    var error: String?
    /// The commit read, for the audit event's author and message.
    var snapshot: CommitSnapshot?
    /// How the applied objects are doing (a synced commit only).
    var health: HealthReport?
}

extension SourceWorker {
    /// Applies a commit through the server, unless it is invalid or asks to execute runs this
    /// source may not: then nothing of it is applied and it is not retried until the ref moves.
    /// Unless `full`, plans only the objects the commit may change (see `incrementalScope`).
    func sync(_ snapshot: CommitSnapshot, full: Bool = true) async -> SyncResult {
        var snapshot = snapshot
        if let refused = await verifySignature(&snapshot) { return refused }
        if let refusal = refusal(of: snapshot) {
            lastInvalid = snapshot.commit
            return SyncResult(outcome: .invalid, error: refusal, snapshot: snapshot)
        }
        let results: [ApplyResult]
        let (scope, next) = await incrementalScope(snapshot, full: full)
        do {
            let source = await attributedProvenance(snapshot)
            var request = request(for: snapshot, source: source)
            request.only = scope
            request.inventoryCache = inventoryCache
            results = try await client.sync(request)
            appliedSource = source
        } catch {
            applied = nil
            var result = failure(error)
            result.snapshot = snapshot
            return result
        }
        var result = SyncResult(outcome: .synced, snapshot: snapshot)
        for outcome in [ApplyOutcome.created, .configured, .unchanged, .pruned, .refused, .failed, .skipped] {
            let n = results.filter { $0.outcome == outcome }.count
            if n > 0 { result.counts[outcome.rawValue] = n }
        }
        let failed = results.filter(\.outcome.isFailure)
        if failed.isEmpty {
            if scope == nil { lastFullSync = ContinuousClock.now }
            applied = next
            metrics.lastApplied(configuration.name, commit: snapshot.commit, previous: lastApplied)
            lastApplied = snapshot.commit
        } else {
            applied = nil
            result.outcome = .failed
            result.error = failed.prefix(5).map { "\($0.ref) \($0.outcome.rawValue): \($0.message ?? "")" }.joined(separator: "\n")
        }
        metrics.resources(configuration.name, counts: result.counts)
        if result.outcome == .synced { result.health = await assessHealth(commit: snapshot.commit) }
        return result
    }

    /// Why nothing of the commit may be applied (up to five `file:line:column: ...` lines), or nil.
    func refusal(of snapshot: CommitSnapshot) -> String? {
        let errors = snapshot.manifests.errors
        if !errors.isEmpty {
            logger.error(
                "commit is invalid; nothing applied, the last good commit stays",
                metadata: [
                    "commit": .string(snapshot.commit), "errors": .string("\(errors.count)"),
                ])
            return errors.prefix(5).map { "\($0.file):\($0.line):\($0.column): \($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)" }
                .joined(separator: "\n") + (errors.count > 5 ? "\n(\(errors.count - 5) more)" : "")
        }
        // A commit that would start code from a source not trusted with it: refused whole.
        let executing = configuration.executeAllowed ? [] : ExecutionRequests.runs(in: snapshot.manifests.manifests)
        guard !executing.isEmpty else { return nil }
        logger.error(
            "commit asks to execute runs and this source may not; nothing applied, the last good commit stays",
            metadata: [
                "commit": .string(snapshot.commit), "runs": .string(executing.map(\.name).joined(separator: ",")),
            ])
        let refusals = ExecutionRequests.refusals(executing, source: configuration.name)
        return refusals.prefix(5).joined(separator: "\n") + (refusals.count > 5 ? "\n(\(refusals.count - 5) more)" : "")
    }

    /// The engine's request: the commit's manifests in the source's apply set, with provenance.
    func request(for snapshot: CommitSnapshot, source: SourceInfo? = nil) -> SyncRequest {
        SyncRequest(
            manifests: snapshot.manifests.manifests, applySet: configuration.name, prune: configuration.prune,
            maxDeletes: configuration.maxDeletes, source: source ?? provenance(snapshot), content: snapshot.content)
    }

    func provenance(_ snapshot: CommitSnapshot) -> SourceInfo {
        SourceInfo(repository: configuration.spec.url, commit: snapshot.commit, author: snapshot.author, tool: "dpctl reconcile")
    }

    /// A git error is `error` (and counted by kind); anything else on the way is `failed`.
    func failure(_ error: any Error) -> SyncResult {
        switch error {
        case let error as GitSourceError:
            metrics.gitError(configuration.name, kind: Self.kind(of: error))
            logger.error("git: \(error.description)")
            return SyncResult(outcome: .error, error: error.description)
        case let error as SyncError:
            logger.error("sync: \(error.description)")
            return SyncResult(outcome: .failed, error: error.description)
        default:
            return SyncResult(outcome: .failed, error: "\(error)")
        }
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
}
