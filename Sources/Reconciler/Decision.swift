/// What a poll does with the commit it resolved.
enum Decision: Sendable, Equatable {
    /// The commit is the one applied (or the invalid one already reported) and no resync is due.
    case skip
    /// The commit is the one applied and a resync is due: compare the live state with it.
    case scan
    /// A new commit, a retry after a failure, or a forced sync: apply it.
    case sync
}

extension SourceWorker {
    /// Resolves the source's reference, recording what ls-remote and a fetch cost.
    func resolve() async throws -> SourceResolution {
        let resolution = try await source.resolve()
        metrics.lsRemoteDuration(configuration.name, .microseconds(Int(resolution.lsRemoteSeconds * 1e6)))
        if let seconds = resolution.fetchSeconds { metrics.gitFetchDuration(configuration.name, .microseconds(Int(seconds * 1e6))) }
        return resolution
    }

    /// Whether `commit` needs a sync, a drift scan or nothing, from what this worker last did.
    func decide(_ commit: String, force: Bool, now: ContinuousClock.Instant = .now) -> Decision {
        if force { return .sync }
        if commit == lastInvalid { return .skip }
        guard commit == lastApplied, failures == 0 else { return .sync }
        return resyncDue(now: now) ? .scan : .skip
    }

    /// Whether the resync interval has passed since the last full sync or drift scan (incremental
    /// syncs do not count).
    func resyncDue(now: ContinuousClock.Instant = .now) -> Bool {
        lastFullSync.map { now - $0 > .seconds(configuration.resync) } ?? true
    }
}
