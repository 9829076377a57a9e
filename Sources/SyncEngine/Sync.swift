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

    public init(
        manifests: [Manifest], applySet: String? = nil, prune: Bool = false, maxDeletes: Int = 10, dryRun: DryRunMode = .none,
        concurrency: Int = 8, source: SourceInfo, root: String? = nil, content: any ContentProvider
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
        let members: Set<ObjectRef>
        let live: [ObjectRef: JSONValue]
        do {
            members = try await inventory?.load() ?? []
            var kinds = Set(request.manifests.map(\.kind))
            if request.prune { kinds.formUnion(members.map(\.kind)) }
            live = try await LiveState.fetch(kinds, client: client)
        } catch let error as APIError {
            throw SyncError(code: .server, description: error.message)
        } catch {
            throw SyncError(code: .server, description: "\(error)")
        }
        let contents = await request.content.contents(of: request.manifests)
        let plan: Plan
        do {
            plan = try Planner().plan(
                desired: request.manifests, live: live, contents: contents,
                prune: request.prune ? Planner.Prune(inventory: members, maxDeletes: request.maxDeletes) : nil)
        } catch {
            throw SyncError(code: .plan, description: error.description)
        }
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
        let desired = Set(request.manifests.map(\.ref))
        var stored = members
        let recording = request.dryRun == .none ? inventory : nil
        // Recorded before any write, so that an interrupted apply still knows what it made.
        if let recording, !desired.isSubset(of: members) {
            stored = members.union(desired)
            try await save(recording, stored, source: request.source)
        }
        let applier = Applier(
            client: client,
            options: .init(
                serverDryRun: request.dryRun == .server, concurrency: request.concurrency,
                applySet: request.applySet, source: request.source, root: request.root))
        let results = await applier.apply(plan) { done, total in progress?("applying", done, total) }
        if let recording {
            let pruned = Set(results.filter { $0.outcome == .pruned }.map(\.ref))
            // Members gone from the server and from the manifests are forgotten.
            let stale = members.subtracting(desired).filter { live[$0] == nil }
            let final = members.union(desired).subtracting(pruned).subtracting(stale)
            if final != stored { try await save(recording, final, source: request.source) }
        }
        return SyncReport(plan: plan, results: results)
    }

    func save(_ inventory: Inventory, _ members: Set<ObjectRef>, source: SourceInfo) async throws(SyncError) {
        do {
            try await inventory.save(members, source: source)
        } catch let error as APIError {
            throw SyncError(code: .inventory, description: "cannot record apply set \"\(inventory.name)\": \(error.message)")
        } catch {
            throw SyncError(code: .inventory, description: "cannot record apply set \"\(inventory.name)\": \(error)")
        }
    }
}
