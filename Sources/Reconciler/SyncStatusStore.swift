import APIModel

/// Where the loop keeps each source's status and history, shared by every replica.
/// `StatusStore` keeps them in Postgres; tests use one in memory.
public protocol SyncStatusStore: Sendable {
    /// The last commit applied to the server, to resume from after a restart or a takeover.
    func lastApplied(_ source: String) async throws -> String?
    func record(_ record: SyncRecord) async throws
    /// The health of `commit`'s objects changed after its sync was recorded.
    func recordHealth(_ source: String, commit: String, report: HealthReport) async throws
}

extension SyncStatusStore {
    public func recordHealth(_ source: String, commit: String, report: HealthReport) async throws {}
}

extension StatusStore: SyncStatusStore {}
