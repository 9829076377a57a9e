import APIModel
import Manifests

/// Builds plans. Pure: the live objects, the inventory and the versions' content are fetched
/// by the caller, so plans can be tested without a server.
public struct Planner: Sendable {
    public static let protectedAnnotation = "datapilot.io/protected"

    public struct Prune: Sendable {
        /// The objects the apply set managed until now.
        public var inventory: Set<ObjectRef>
        /// Refuse a plan that would delete more than this many objects.
        public var maxDeletes: Int

        public init(inventory: Set<ObjectRef>, maxDeletes: Int) {
            self.inventory = inventory
            self.maxDeletes = maxDeletes
        }
    }

    public init() {}

    /// Plans `manifests`; `all`, when given, is the whole desired set of which `manifests` are
    /// the part to plan (an incremental sync): prune keeps every object of it.
    public func plan(
        desired manifests: [Manifest], live: [ObjectRef: JSONValue],
        contents: [ObjectRef: Result<VersionContent, ContentError>] = [:], prune: Prune? = nil, all: Set<ObjectRef>? = nil
    ) throws(PlanError) -> Plan {
        var items: [PlanItem] = []
        var desiredRefs: Set<ObjectRef> = all ?? []
        for manifest in manifests {
            desiredRefs.insert(manifest.ref)
            items.append(item(for: manifest, live: live[manifest.ref], content: contents[manifest.ref]))
        }
        if let prune {
            guard !desiredRefs.isEmpty else {
                throw PlanError(
                    description:
                        "refusing to prune from an empty set of manifests: that would delete every object the apply set manages (\(prune.inventory.count)); check the paths given to -f"
                )
            }
            var deletes: [PlanItem] = []
            for ref in prune.inventory.subtracting(desiredRefs).sorted() {
                guard let object = live[ref] else { continue }  // already gone
                var entry = PlanItem.deletion(of: ref, live: object)
                if object["metadata"]?["annotations"]?[Self.protectedAnnotation]?.stringValue == "true" {
                    entry.action = .refused
                    entry.reason =
                        "not pruned: it is annotated \(Self.protectedAnnotation)=true; remove the annotation to let prune delete it"
                } else if ref.kind == .datasetVersion {
                    entry.action = .refused
                    entry.reason = "not pruned: dataset versions are immutable records and are kept"
                }
                deletes.append(entry)
            }
            let count = deletes.filter { $0.action == .delete }.count
            if count > prune.maxDeletes {
                throw PlanError(
                    description:
                        "refusing to prune \(count) objects, more than the limit of \(prune.maxDeletes): \(deletes.prefix(5).map(\.ref.description).joined(separator: ", "))\(count > 5 ? ", ..." : ""); if that is intended, rerun with --max-deletes \(count)"
                )
            }
            items += deletes
        }
        return Plan(items: Self.ordered(items))
    }

    /// Creates and updates in dependency order; deletes after them, in reverse order.
    static func ordered(_ items: [PlanItem]) -> [PlanItem] {
        let writes = items.filter { $0.action != .delete && !($0.action == .refused && $0.manifest == nil) }.sorted { $0.ref < $1.ref }
        let deletes = items.filter { $0.action == .delete || ($0.action == .refused && $0.manifest == nil) }.sorted { $1.ref < $0.ref }
        return writes + deletes
    }

    func item(for manifest: Manifest, live: JSONValue?, content: Result<VersionContent, ContentError>?) -> PlanItem {
        var entry = PlanItem(
            ref: manifest.ref, action: .create, changes: [], reason: nil, manifest: manifest, live: live,
            desiredForm: nil, liveForm: nil, ignore: IgnoreRules(pointers: []), content: nil)
        switch IgnoreRules.of(manifest) {
        case .success(let rules): entry.ignore = rules
        case .failure(let error):
            return refused(entry, "\(manifest.origin.location): \(error)")
        }
        var digest: String?
        if manifest.kind == .datasetVersion {
            switch content {
            case .success(let found)?:
                entry.content = found
                digest = found.sha256
            case .failure(let error)?: return refused(entry, error.description)
            case nil: return refused(entry, "\(manifest.origin.location): the version's data was not read")
            }
        }
        let desired = entry.ignore.strip(ComparableForm.desired(manifest, contentDigest: digest))
        entry.desiredForm = desired
        guard let live else { return entry }
        let liveForm = entry.ignore.strip(ComparableForm.live(live))
        entry.liveForm = liveForm
        entry.changes = JSONDiff.changes(from: liveForm, to: desired)
        if entry.changes.isEmpty {
            entry.action = .unchanged
        } else if manifest.kind == .datasetVersion,
            let change = entry.changes.first(where: { $0.path.hasPrefix("/spec/source") || $0.path == "/spec/dataset" })
        {
            entry.action = .refused
            let what =
                change.path == "/spec/dataset"
                ? "its dataset"
                : "its content (sha256 \(live["status"]?["sha256"]?.stringValue ?? "?") on the server, \(digest ?? "?") here)"
            entry.reason =
                "\(manifest.origin.location): datasetversion/\(manifest.name) exists with other \(what); versions are immutable: create a new version with a new name"
        } else {
            entry.action = .update
        }
        return entry
    }

    func refused(_ entry: PlanItem, _ reason: String) -> PlanItem {
        var entry = entry
        entry.action = .refused
        entry.reason = reason
        return entry
    }
}
