import APIClient
import APIModel
import Manifests
import SyncEngine

/// The server the loop converges: a sync of one commit's manifests, drift scans and heals, and
/// the audit events. `APIClient` is the real one (through the `Sync` and `DriftScan` engines);
/// tests use one in memory.
public protocol SyncClient: Sendable {
    /// Live state, plan, apply and inventory; what happened to each object.
    func sync(_ request: SyncRequest) async throws -> [ApplyResult]
    /// The objects whose live state differs from `request`'s manifests.
    func scanDrift(_ request: DriftRequest) async throws -> DriftReport
    /// Applies the desired state again to the items whose mode is heal.
    func heal(_ items: [DriftItem], source: SourceInfo) async -> [DriftItem]
    /// Posts an event to the audit log (`SyncEvent`, `DriftEvent`).
    func postEvent<Event: WireBody>(_ path: String, _ event: Event) async throws
    /// The health of an apply set's objects; nil where the server cannot say (no such route).
    func health(applySet: String) async throws -> HealthReport?
}

extension SyncClient {
    public func health(applySet: String) async throws -> HealthReport? { nil }
}

extension APIClient: SyncClient {
    public func sync(_ request: SyncRequest) async throws -> [ApplyResult] {
        try await Sync(client: self).run(request).results
    }

    public func scanDrift(_ request: DriftRequest) async throws -> DriftReport {
        try await DriftScan(client: self).run(request)
    }

    public func heal(_ items: [DriftItem], source: SourceInfo) async -> [DriftItem] {
        await DriftScan(client: self).heal(items, source: source)
    }

    public func postEvent<Event: WireBody>(_ path: String, _ event: Event) async throws {
        _ = try await send("POST", path, body: event)
    }

    public func health(applySet: String) async throws -> HealthReport? {
        do {
            return try HealthReport.decode(try await send("GET", APIPath.applySet(applySet) + "/health").json)
        } catch let error as APIError where error.code == .notFound {
            return nil  // no apply set yet (nothing applied), or a server from before health
        }
    }
}
