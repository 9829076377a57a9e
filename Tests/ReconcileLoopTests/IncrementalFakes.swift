import APIModel
import GitSource
import Manifests
import SyncEngine
import Synchronization
import TestSupport

@testable import Reconciler

/// A git source in memory with many manifest files per commit; the tree diff between two
/// commits is the files whose text differs, and a file's version is its text.
final class FilesSource: ManifestSource {
    struct State {
        var head = ""
        var commits: [String: [String: String]] = [:]
        var diffs = 0
    }

    let state = Mutex(State())
    /// Whether snapshots tell each file's version (as git sources do).
    let versions: Bool

    init(versions: Bool = true) { self.versions = versions }

    func commit(_ id: String, _ files: [String: String]) {
        state.withLock { state in
            state.commits[id] = files
            state.head = id
        }
    }

    var diffs: Int { state.withLock { $0.diffs } }

    func resolve() async throws(GitSourceError) -> SourceResolution {
        SourceResolution(commit: state.withLock { $0.head })
    }

    func snapshot(commit: String) async throws(GitSourceError) -> CommitSnapshot {
        let files = state.withLock { $0.commits[commit] ?? [:] }
        let manifests = ManifestLoader(options: LoadOptions(allowExternalReferences: true)).load(
            files.sorted { $0.key < $1.key }.map { .bytes(name: $0.key, Array($0.value.utf8)) })
        var snapshot = CommitSnapshot(
            commit: commit, author: "Ada <ada@example.com>", message: "commit \(commit)", manifests: manifests, content: NoContent())
        // Each file's text as its version, as git names a blob by its content.
        if versions { snapshot.fileVersions = files }
        return snapshot
    }

    func changedPaths(from old: String, to new: String) async throws(GitSourceError) -> Set<String>? {
        state.withLock { state in
            state.diffs += 1
            let (a, b) = (state.commits[old] ?? [:], state.commits[new] ?? [:])
            return Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
        }
    }
}

/// A server in memory that keeps objects and apply sets and plans each sync with the engine's
/// own steps (live scope, planner, inventory): each write bumps the object's `status.writes`,
/// so two servers are equal only when the same objects were written as often.
final class ObjectServer: SyncClient {
    struct State: Equatable {
        var objects: [ObjectRef: JSONValue] = [:]
        var members: Set<ObjectRef>?
    }

    let state = Mutex(State())
    /// Per sync: the objects planned and the live objects read.
    let work = Mutex<[(planned: Int, read: Int)]>([])

    var snapshot: State { state.withLock { $0 } }

    func sync(_ request: SyncRequest) async throws -> [ApplyResult] {
        let (objects, members) = state.withLock { ($0.objects, $0.members ?? []) }
        let scope = Sync.liveScope(request, members: members)
        let live = objects.filter { scope.refs?.contains($0.key) ?? scope.kinds.contains($0.key.kind) }
        let contents = await request.content.contents(of: Sync.planned(request))
        let plan = try Sync.plan(request, members: members, live: live, contents: contents)
        var written = objects
        let results = plan.items.map { item -> ApplyResult in
            switch item.action {
            case .create, .update:
                let writes = Int64(written[item.ref]?["status"]?["writes"]?.numberValue ?? 0) + 1
                written[item.ref] = Self.object(item.manifest!, writes: writes)
                return ApplyResult(ref: item.ref, outcome: item.action == .create ? .created : .configured)
            case .unchanged: return ApplyResult(ref: item.ref, outcome: .unchanged)
            case .delete:
                written[item.ref] = nil
                return ApplyResult(ref: item.ref, outcome: .pruned)
            case .refused: return ApplyResult(ref: item.ref, outcome: .refused, message: item.reason)
            }
        }
        state.withLock { state in
            state.objects = written
            state.members = Sync.finalMembers(members, desired: Set(request.manifests.map(\.ref)), results: results, live: live)
        }
        work.withLock { $0.append((plan.items.count, live.count)) }
        return results
    }

    static func object(_ manifest: Manifest, writes: Int64) -> JSONValue {
        .object([
            JSONMember("apiVersion", .string("datapilot.io/v1alpha1")), JSONMember("kind", .string(manifest.kind.rawValue)),
            JSONMember("metadata", manifest.metadata), JSONMember("spec", manifest.spec),
            JSONMember("status", .object([JSONMember("writes", .int(writes))])),
        ])
    }

    func scanDrift(_ request: DriftRequest) async throws -> DriftReport {
        DriftReport(
            scope: request.scope, commit: request.source.commit, applySet: request.applySet, time: "", scanned: request.manifests.count,
            ignored: 0, items: [], warnings: [])
    }

    func heal(_ items: [DriftItem], source: SourceInfo) async -> [DriftItem] { items }
    func postEvent<Event: WireBody>(_ path: String, _ event: Event) async throws {}
}

/// A repository of experiments and datasets in files, changed by random commits: adds, edits,
/// renames of objects and of files, deletes of objects and of files, moves between files.
struct RandomRepository {
    struct Object: Equatable {
        var kind: ManifestKind
        var name: String
        var description: String
    }

    var files: [String: [Object]] = [:]
    var random: SeededRandom
    var counter = 0

    init(seed: UInt64, objects: Int = 60, files fileCount: Int = 12) {
        random = SeededRandom(seed: seed)
        for index in 0..<objects { files["f\(index % fileCount).yaml", default: []].append(newObject()) }
    }

    mutating func newObject() -> Object {
        counter += 1
        let kind: ManifestKind = Bool.random(using: &random) ? .experiment : .dataset
        return Object(kind: kind, name: "\(kind == .experiment ? "exp" : "ds")-\(counter)", description: "first of \(counter)")
    }

    mutating func newFile() -> String {
        counter += 1
        return Bool.random(using: &random) ? "f\(counter).yaml" : "sub/dir/f\(counter).yml"
    }

    var count: Int { files.values.reduce(0) { $0 + $1.count } }

    mutating func anyFile() -> String { files.keys.sorted().randomElement(using: &random)! }

    /// A random object's file and index.
    mutating func anyObject() -> (String, Int) {
        let all = files.keys.sorted().flatMap { file in files[file]!.indices.map { (file, $0) } }
        return all.randomElement(using: &random)!
    }

    /// One to three random changes; returns what they were, for failure messages.
    mutating func change() -> [String] {
        var done: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            // Never fewer than 8 objects: prune refuses an empty set, and a commit should keep some.
            let operation = count < 16 ? 0 : Int.random(in: 0...6, using: &random)
            switch operation {
            case 0:
                let file = Int.random(in: 0..<4, using: &random) == 0 || files.isEmpty ? newFile() : anyFile()
                let object = newObject()
                files[file, default: []].append(object)
                done.append("add \(object.name) to \(file)")
            case 1:
                let (file, index) = anyObject()
                counter += 1
                files[file]![index].description = "revision \(counter)"
                done.append("edit \(files[file]![index].name)")
            case 2:
                let (file, index) = anyObject()
                counter += 1
                let old = files[file]![index].name
                files[file]![index].name = "\(files[file]![index].kind == .experiment ? "exp" : "ds")-\(counter)"
                done.append("rename \(old) to \(files[file]![index].name)")
            case 3:
                let (file, index) = anyObject()
                done.append("delete \(files[file]!.remove(at: index).name)")
            case 4:
                let (file, index) = anyObject()
                let object = files[file]!.remove(at: index)
                let target = Bool.random(using: &random) ? newFile() : anyFile()
                files[target, default: []].insert(object, at: 0)
                done.append("move \(object.name) from \(file) to \(target)")
            case 5:
                let file = anyFile()
                let target = newFile()
                files[target] = files.removeValue(forKey: file)
                done.append("rename file \(file) to \(target)")
            default:
                let file = anyFile()
                guard count - files[file]!.count >= 8 else { continue }
                done.append("delete file \(file) (\(files.removeValue(forKey: file)!.count) objects)")
            }
            files = files.filter { !$0.value.isEmpty }
        }
        return done
    }

    var texts: [String: String] { files.mapValues { $0.map(Self.text).joined(separator: "---\n") } }

    var refs: Set<ObjectRef> { Set(files.values.joined().map { ObjectRef($0.kind, $0.name) }) }

    static func text(_ object: Object) -> String {
        GeneratedManifests.text(experiment: object.kind == .experiment, name: object.name, description: object.description)
    }
}
