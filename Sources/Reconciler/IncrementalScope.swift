import APIModel
import GitSource
import Manifests

/// What the last successful sync applied, object by object, in a compact form: each object's
/// manifest file and the digest of its manifest (`Manifest.digest`), never the manifest itself;
/// and per manifest file its content identity (its git blob, when the source tells it) and its
/// objects. What the next commit is compared with to plan only the objects it changes.
struct AppliedObjects: Sendable {
    struct Entry: Sendable, Equatable {
        var file: String
        /// `sha256:` of the manifest's canonical JSON.
        var digest: String
    }

    /// One manifest file: its content identity (nil when the source cannot tell) and its objects.
    struct File: Sendable {
        var version: String?
        var refs: [ObjectRef]
    }

    var commit: String
    var objects: [ObjectRef: Entry]
    /// The files that hold at least one object.
    var files: [String: File]

    /// The objects of `snapshot`, digests computed for every manifest.
    init(_ snapshot: CommitSnapshot) {
        self = Self.next(snapshot, after: nil).applied
    }

    private init(commit: String, objects: [ObjectRef: Entry], files: [String: File]) {
        self.commit = commit
        self.objects = objects
        self.files = files
    }

    /// The objects of `snapshot` and those that may differ from `previous`'s (nil: any may).
    /// A file whose content identity is the one `previous` recorded holds the same manifests: its
    /// objects are carried over without being looked at, so a one-file commit costs one file's
    /// manifests (hashed) and a pass over the snapshot's file boundaries.
    static func next(_ snapshot: CommitSnapshot, after previous: AppliedObjects?) -> (applied: AppliedObjects, touched: Set<ObjectRef>?) {
        let manifests = snapshot.manifests.manifests
        // The manifests come file by file: the runs of each file (a file in two runs is merged).
        var runs: [(file: String, range: Range<Int>)] = []
        var start = 0
        for index in manifests.indices
        where index + 1 == manifests.count || manifests[index + 1].origin.file != manifests[index].origin.file {
            runs.append((manifests[index].origin.file, start..<(index + 1)))
            start = index + 1
        }
        let versions = snapshot.fileVersions
        var files: [String: File] = [:]
        files.reserveCapacity(runs.count)
        guard let previous, let versions else {
            var objects: [ObjectRef: Entry] = [:]
            objects.reserveCapacity(manifests.count)
            for (file, range) in runs {
                var refs: [ObjectRef] = []
                for manifest in manifests[range] {
                    objects[manifest.ref] = Entry(file: file, digest: manifest.digest)
                    refs.append(manifest.ref)
                }
                files[file, default: File(version: versions?[file], refs: [])].refs += refs
            }
            return (AppliedObjects(commit: snapshot.commit, objects: objects, files: files), nil)
        }
        var objects = previous.objects
        var touched: Set<ObjectRef> = []
        var same: Set<String> = []
        for (file, _) in runs {
            if let version = versions[file], previous.files[file]?.version == version { same.insert(file) }
        }
        for (file, old) in previous.files where !same.contains(file) {
            for ref in old.refs where objects[ref]?.file == file {
                objects[ref] = nil
                touched.insert(ref)
            }
        }
        for (file, range) in runs {
            if same.contains(file) {
                files[file] = previous.files[file]
                continue
            }
            var refs: [ObjectRef] = []
            for manifest in manifests[range] {
                objects[manifest.ref] = Entry(file: file, digest: manifest.digest)
                refs.append(manifest.ref)
                touched.insert(manifest.ref)
            }
            files[file, default: File(version: versions[file], refs: [])].refs += refs
        }
        return (AppliedObjects(commit: snapshot.commit, objects: objects, files: files), touched)
    }

    /// The objects on which two applied states differ among `touched` (nil: among all): added,
    /// removed, changed, or moved to another file.
    func changed(since old: AppliedObjects, among touched: Set<ObjectRef>?) -> Set<ObjectRef> {
        if let touched { return touched.filter { objects[$0] != old.objects[$0] } }
        var out: Set<ObjectRef> = []
        for (ref, entry) in objects where old.objects[ref] != entry { out.insert(ref) }
        for ref in old.objects.keys where objects[ref] == nil { out.insert(ref) }
        return out
    }
}

extension SourceWorker {
    /// The objects a sync of `snapshot` plans, or nil for all of them (a full sync): the first
    /// sync, a forced one, a retry after a failure, one whose resync is due, or one where the tree
    /// diff cannot be told. Otherwise the objects whose manifest changed, appeared, disappeared or
    /// moved between files since the commit applied last (an unchanged document in a changed file
    /// is not planned: its desired state is what was applied), and, when the tree diff touched a
    /// path that is no manifest file (e.g. a version's data), every dataset version.
    /// `next` is the snapshot's objects, which become `applied` once the sync succeeds.
    func incrementalScope(_ snapshot: CommitSnapshot, full: Bool) async -> (only: Set<ObjectRef>?, next: AppliedObjects) {
        let (next, touched) = AppliedObjects.next(snapshot, after: applied)
        guard !full, failures == 0, let applied, applied.commit == lastApplied, applied.commit != snapshot.commit else {
            return (nil, next)
        }
        let changed: Set<String>
        do {
            guard let paths = try await source.changedPaths(from: applied.commit, to: snapshot.commit) else { return (nil, next) }
            changed = paths
        } catch {
            logger.warning("cannot diff the commit against the one applied last; syncing every object: \(error)")
            return (nil, next)
        }
        var scope = next.changed(since: applied, among: touched)
        if !changed.allSatisfy({ next.files[$0] != nil || applied.files[$0] != nil }) {
            for manifest in snapshot.manifests.manifests where manifest.kind == .datasetVersion { scope.insert(manifest.ref) }
        }
        return (scope, next)
    }
}
