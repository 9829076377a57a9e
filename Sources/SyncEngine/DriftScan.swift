import APIClient
import APIModel
import Foundation
import Manifests

/// One drift scan of a desired set against the live server.
public struct DriftRequest: Sendable {
    public var manifests: [Manifest]
    /// The apply set whose inventory says what was applied (out-of-band creations are members
    /// it lacks); nil compares without it.
    public var applySet: String?
    public var defaultMode: DriftMode
    /// Apply the desired state again to objects whose mode is heal.
    public var heal: Bool
    public var source: SourceInfo
    public var scope: String
    public var content: any ContentProvider
    /// Tools whose audit events are the desired state being applied, skipped when looking for
    /// who changed an object.
    public var appliers: [String]

    public init(
        manifests: [Manifest], applySet: String?, defaultMode: DriftMode = .report, heal: Bool, source: SourceInfo, scope: String,
        content: any ContentProvider, appliers: [String] = DriftRequest.standardAppliers
    ) {
        self.manifests = manifests
        self.applySet = applySet
        self.defaultMode = defaultMode
        self.heal = heal
        self.source = source
        self.scope = scope
        self.content = content
        self.appliers = appliers
    }

    public static let standardAppliers = ["dpctl reconcile", "dpctl drift"]
}

/// Compares the desired objects with the live ones through the same lists, comparable forms,
/// ignore rules and planner as `diff` and `apply` (one paged list per kind, never a request per
/// object), finds who changed each drifted object in the audit log, and heals what is to be
/// healed through the `Applier`.
public struct DriftScan: Sendable {
    public let client: APIClient

    public init(client: APIClient) { self.client = client }

    public func run(_ request: DriftRequest) async throws(SyncError) -> DriftReport {
        // The inventory, the live lists (one task per kind) and the versions' content digests are
        // independent: all at once. Each kind is compared as soon as its list is in, and only its
        // drifted objects are kept, so the whole live state is never held at once.
        let (manifests, content, client) = (request.manifests, request.content, client)
        let hashed = Task { await content.contents(of: manifests) }
        let inventory = Task { try await request.applySet.asyncMap { try await Inventory(name: $0, client: client).load() } ?? nil }
        var report = DriftReport(
            scope: request.scope, commit: request.source.commit, applySet: request.applySet, time: Self.now(),
            scanned: request.manifests.count, ignored: 0, items: [], warnings: [])
        var warnings: [(ObjectRef, String)] = []
        do {
            try await withThrowingTaskGroup(of: KindDrift.self) { group in
                for (kind, desired) in Dictionary(grouping: manifests, by: \.kind) {
                    group.addTask {
                        let live = try await Self.live(kind, client: client)
                        let contents = kind == .datasetVersion ? await hashed.value : [:]
                        let members = try await inventory.value
                        return try Self.compare(desired, live: live, contents: contents, members: members, default: request.defaultMode)
                    }
                }
                for try await found in group {
                    report.ignored += found.ignored
                    report.items += found.items
                    warnings += found.warnings
                }
            }
        } catch let error as SyncError {
            inventory.cancel()
            hashed.cancel()
            throw error
        } catch let error as APIError {
            inventory.cancel()
            hashed.cancel()
            throw SyncError(code: .server, description: error.message)
        } catch {
            inventory.cancel()
            hashed.cancel()
            throw SyncError(code: .server, description: "\(error)")
        }
        report.items.sort { $0.ref < $1.ref }
        report.warnings = warnings.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        report.items = await lastChanges(report.items, appliers: request.appliers)
        if request.heal { report.items = await heal(report.items, source: request.source) }
        return report
    }

    /// What one kind's comparison keeps: its drifted objects, the ignored count and warnings.
    struct KindDrift: Sendable {
        var ignored = 0
        var items: [DriftItem] = []
        var warnings: [(ObjectRef, String)] = []
    }

    /// The live objects of one kind, by reference: one paged list.
    static func live(_ kind: ManifestKind, client: APIClient) async throws -> [ObjectRef: JSONValue] {
        var live: [ObjectRef: JSONValue] = [:]
        for object in try await client.list(APIPath.list(kind)) {
            guard let ref = LiveState.ref(of: object), ref.kind == kind else { continue }
            live[ref] = object
        }
        return live
    }

    /// How many manifests are planned at once: the plan items of a chunk (each with its desired
    /// and live forms) are dropped before the next chunk is planned.
    static let chunk = 512

    /// The drift of one kind's manifests against its live objects.
    static func compare(
        _ desired: [Manifest], live: [ObjectRef: JSONValue], contents: [ObjectRef: Result<VersionContent, ContentError>],
        members: Set<ObjectRef>?, default defaultMode: DriftMode
    ) throws(SyncError) -> KindDrift {
        var out = KindDrift()
        for start in stride(from: 0, to: desired.count, by: chunk) {
            let plan: Plan
            do {
                plan = try Planner().plan(
                    desired: Array(desired[start..<min(start + chunk, desired.count)]), live: live, contents: contents)
            } catch {
                throw SyncError(code: .plan, description: error.description)
            }
            for item in plan.items {
                guard let manifest = item.manifest else { continue }
                let mode: DriftMode
                switch DriftMode.of(manifest, default: defaultMode) {
                case .success(let found): mode = found
                case .failure(let error):
                    out.warnings.append((item.ref, error.description + "; reported as drift mode report"))
                    mode = .report
                }
                if mode == .ignore {
                    out.ignored += 1
                    continue
                }
                if let drifted = drift(item, mode: mode, members: members) {
                    out.items.append(drifted)
                } else if item.action == .refused, item.live == nil || item.changes.isEmpty {
                    out.warnings.append((item.ref, "\(item.ref): not compared: \(item.reason ?? "refused")"))
                }
            }
        }
        return out
    }

    /// The drift of one planned object, nil when it has none.
    static func drift(_ item: PlanItem, mode: DriftMode, members: Set<ObjectRef>?) -> DriftItem? {
        let fields = item.changes.map { FieldDrift(path: $0.path, desired: $0.new, live: $0.old) }
        switch item.action {
        case .create:
            // Never applied by this apply set: not drift, just not there yet.
            if let members, !members.contains(item.ref) { return nil }
            return DriftItem(ref: item.ref, kind: .deleted, mode: mode, fields: [], lastChange: nil, healed: nil, note: nil, heal: item)
        case .update:
            let kind: DriftKind = members.map { $0.contains(item.ref) } == false ? .createdOutOfBand : .modified
            return DriftItem(ref: item.ref, kind: kind, mode: mode, fields: fields, lastChange: nil, healed: nil, note: nil, heal: item)
        case .unchanged:
            guard let members, !members.contains(item.ref) else { return nil }
            return DriftItem(
                ref: item.ref, kind: .createdOutOfBand, mode: mode, fields: [], lastChange: nil, healed: nil,
                note: "equal to the desired state, but not created by this apply set", heal: nil)
        case .refused where item.live != nil && !item.changes.isEmpty:
            return DriftItem(
                ref: item.ref, kind: .modified, mode: mode, fields: fields, lastChange: nil, healed: nil,
                note: "cannot be healed: \(item.reason ?? "refused")", heal: nil)
        default:
            return nil
        }
    }

    /// Each item's last change by someone other than the appliers, one audit query per drifted object.
    func lastChanges(_ items: [DriftItem], appliers: [String]) async -> [DriftItem] {
        await withTaskGroup(of: (Int, LastChange?).self) { group in
            for (index, item) in items.enumerated() {
                group.addTask { (index, await AuditTrail(client: client).lastChange(of: item.ref, excluding: appliers)) }
            }
            var out = items
            for await (index, change) in group { out[index].lastChange = change }
            return out
        }
    }

    /// Applies the desired state again to the items whose mode is heal. Each heal run has
    /// idempotency keys of its own: a second heal of the same object must write again.
    public func heal(_ items: [DriftItem], source: SourceInfo) async -> [DriftItem] {
        let healing = items.filter { $0.mode == .heal }.compactMap(\.heal).map { item -> PlanItem in
            var item = item
            if item.action == .unchanged { item.action = .update }
            return item
        }.filter { $0.action == .create || $0.action == .update }
        guard !healing.isEmpty else { return items }
        let applier = Applier(client: client, options: .init(applySet: "drift-heal-" + UUID().uuidString, source: source))
        let results = Dictionary(
            await applier.apply(Plan(items: Planner.ordered(healing))).map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        return items.map { item in
            var item = item
            guard item.mode == .heal else { return item }
            guard let result = results[item.ref] else {
                if item.note == nil { item.note = "nothing to heal" }
                return item
            }
            item.healed = !result.outcome.isFailure
            if let message = result.message, result.outcome.isFailure { item.note = "heal \(result.outcome.rawValue): \(message)" }
            return item
        }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

extension Optional where Wrapped: Sendable {
    /// The async transform of the wrapped value, or nil.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
