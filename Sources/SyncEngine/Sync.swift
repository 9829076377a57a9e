import APIClient
import APIModel
import Manifests

/// Whether writes happen: for real, not at all (plan only), or validated by the server and
/// rolled back.
public enum DryRunMode: String, Sendable, Hashable, CaseIterable {
    case none, client, server
}

/// One reconciliation of a desired set: what `dpctl apply` and each sync of the reconciler do.
public struct SyncRequest: Sendable {
    public var manifests: [Manifest]
    public var applySet: String?
    public var prune: Bool
    public var maxDeletes: Int
    public var dryRun: DryRunMode
    public var concurrency: Int
    public var source: SourceInfo
    /// The repository root that manifest paths in source headers are made relative to; nil
    /// when they already are (a commit's tree).
    public var root: String?
    public var content: any ContentProvider
    /// The objects to plan, when only they may have changed since the last sync of the same
    /// apply set (an incremental sync); nil plans every manifest. Membership, prune and the
    /// inventory still see the whole desired set.
    public var only: Set<ObjectRef>?
    /// The apply set's members as this client last read or wrote them, for a conditional read.
    public var inventoryCache: InventoryCache?
    /// Most creates and updates per `POST /api/batch`; 0 or 1 writes one object per request.
    public var batchSize = Applier.Options.defaultBatchSize

    public init(
        manifests: [Manifest], applySet: String? = nil, prune: Bool = false, maxDeletes: Int = 10, dryRun: DryRunMode = .none,
        concurrency: Int = 8, source: SourceInfo, root: String? = nil, content: any ContentProvider,
        only: Set<ObjectRef>? = nil
    ) {
        self.manifests = manifests
        self.applySet = applySet
        self.prune = prune
        self.maxDeletes = maxDeletes
        self.dryRun = dryRun
        self.concurrency = concurrency
        self.source = source
        self.root = root
        self.content = content
        self.only = only
    }
}

public struct SyncReport: Sendable {
    public var plan: Plan
    public var results: [ApplyResult]

    public func count(_ outcome: ApplyOutcome) -> Int { results.filter { $0.outcome == outcome }.count }
    public var failures: [ApplyResult] { results.filter { $0.outcome.isFailure } }
}

/// A failure before any object was written (or, for the inventory, after): nothing half-done
/// that a rerun would not finish.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        let raw: String
        public static let server = Code(raw: "server")
        public static let plan = Code(raw: "plan")
        public static let inventory = Code(raw: "inventory")
    }

    public var code: Code
    public var description: String
}

/// Live state, plan, apply and inventory, in that order.
public struct Sync: Sendable {
    public let client: APIClient

    public init(client: APIClient) { self.client = client }

    public func run(_ request: SyncRequest, progress: (@Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void)? = nil)
        async throws(SyncError) -> SyncReport
    {
        let inventory = request.applySet.map { Inventory(name: $0, client: client) }
        let desired = Set(request.manifests.map(\.ref))
        let members: Set<ObjectRef>
        let live: [ObjectRef: JSONValue]
        do {
            members = try await inventory?.load(cache: request.inventoryCache) ?? []
            let scope = Self.liveScope(request, members: members, desired: desired)
            if let refs = scope.refs {
                live = try await LiveState.fetch(refs, datasets: Self.datasets(of: request.manifests, among: refs), client: client)
            } else {
                live = try await LiveState.fetch(scope.kinds, client: client)
            }
        } catch let error as APIError {
            throw SyncError(code: .server, description: error.message)
        } catch {
            throw SyncError(code: .server, description: "\(error)")
        }
        let planned = Self.planned(request)
        let contents = await request.content.contents(of: planned)
        let plan = try Self.plan(request, members: members, live: live, contents: contents, desired: desired)
        if request.dryRun == .client {
            return SyncReport(
                plan: plan,
                results: plan.items.map { item in
                    let outcome: ApplyOutcome =
                        switch item.action {
                        case .create: .created
                        case .update: .configured
                        case .unchanged: .unchanged
                        case .delete: .pruned
                        case .refused: .refused
                        }
                    return ApplyResult(ref: item.ref, outcome: outcome, changes: item.changes, message: item.reason)
                })
        }
        var stored = members
        let recording = request.dryRun == .none ? inventory : nil
        // Recorded before any write, so that an interrupted apply still knows what it made.
        if let recording, !desired.isSubset(of: members) {
            stored = members.union(desired)
            try await save(recording, stored, source: request.source, cache: request.inventoryCache)
        }
        let applier = Applier(
            client: client,
            options: .init(
                serverDryRun: request.dryRun == .server, concurrency: request.concurrency,
                applySet: request.applySet, source: request.source, root: request.root, batchSize: request.batchSize))
        let results = await applier.apply(plan) { done, total in progress?("applying", done, total) }
        if let recording {
            // Members gone from the server and from the manifests are forgotten.
            let final = Self.finalMembers(members, desired: desired, results: results, live: live)
            if final != stored { try await save(recording, final, source: request.source, cache: request.inventoryCache) }
        }
        return SyncReport(plan: plan, results: results)
    }

    /// The kinds whose live state a sync reads, and for an incremental sync the objects: those
    /// it plans and the members the desired set lacks (prune candidates, or members to forget
    /// when gone), of the same kinds a full sync lists.
    /// `desired` is the references of `request.manifests`, when the caller has them already.
    public static func liveScope(
        _ request: SyncRequest, members: Set<ObjectRef>, desired: Set<ObjectRef>? = nil
    ) -> (kinds: Set<ManifestKind>, refs: Set<ObjectRef>?) {
        var kinds = Set(request.manifests.map(\.kind))
        if request.prune { kinds.formUnion(members.map(\.kind)) }
        guard let only = request.only else { return (kinds, nil) }
        let desired = desired ?? Set(request.manifests.map(\.ref))
        return (kinds, only.union(members.subtracting(desired)).filter { kinds.contains($0.kind) })
    }

    /// The manifests a sync plans: all, or those an incremental sync names.
    public static func planned(_ request: SyncRequest) -> [Manifest] {
        guard let only = request.only else { return request.manifests }
        return request.manifests.filter { only.contains($0.ref) }
    }

    /// The plan of `planned(request)` against `live`, pruning against the whole desired set.
    public static func plan(
        _ request: SyncRequest, members: Set<ObjectRef>, live: [ObjectRef: JSONValue],
        contents: [ObjectRef: Result<VersionContent, ContentError>], desired: Set<ObjectRef>? = nil
    ) throws(SyncError) -> Plan {
        do {
            return try Planner().plan(
                desired: planned(request), live: live, contents: contents,
                prune: request.prune ? Planner.Prune(inventory: members, maxDeletes: request.maxDeletes) : nil,
                all: desired ?? Set(request.manifests.map(\.ref)))
        } catch {
            throw SyncError(code: .plan, description: error.description)
        }
    }

    /// The inventory after a sync: members and desired, less what was pruned and the members
    /// gone from the server and from the manifests.
    public static func finalMembers(
        _ members: Set<ObjectRef>, desired: Set<ObjectRef>, results: [ApplyResult], live: [ObjectRef: JSONValue]
    ) -> Set<ObjectRef> {
        let pruned = Set(results.filter { $0.outcome == .pruned }.map(\.ref))
        let stale = members.subtracting(desired).filter { live[$0] == nil }
        return members.union(desired).subtracting(pruned).subtracting(stale)
    }

    /// The dataset each version among `refs` names in its manifest, to GET it below.
    static func datasets(of manifests: [Manifest], among refs: Set<ObjectRef>) -> [ObjectRef: String] {
        var out: [ObjectRef: String] = [:]
        for manifest in manifests where manifest.kind == .datasetVersion && refs.contains(manifest.ref) {
            if let dataset = manifest.spec["dataset"]?.stringValue { out[manifest.ref] = dataset }
        }
        return out
    }

    func save(_ inventory: Inventory, _ members: Set<ObjectRef>, source: SourceInfo, cache: InventoryCache?) async throws(SyncError) {
        do {
            try await inventory.save(members, source: source, cache: cache)
        } catch let error as APIError {
            throw SyncError(code: .inventory, description: "cannot record apply set \"\(inventory.name)\": \(error.message)")
        } catch {
            throw SyncError(code: .inventory, description: "cannot record apply set \"\(inventory.name)\": \(error)")
        }
    }
}
