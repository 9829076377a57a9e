import APIModel
import GitSource
import Manifests

/// What the last successful sync applied, object by object (its manifest file and body): what
/// the next commit is compared with to plan only the objects it may change.
struct AppliedObjects: Sendable {
    struct Entry: Sendable, Equatable {
        var file: String
        var body: JSONValue
    }

    var commit: String
    var objects: [ObjectRef: Entry]

    init(_ snapshot: CommitSnapshot) {
        commit = snapshot.commit
        var objects: [ObjectRef: Entry] = [:]
        for manifest in snapshot.manifests.manifests { objects[manifest.ref] = Entry(file: manifest.origin.file, body: manifest.body) }
        self.objects = objects
    }
}

extension SourceWorker {
    /// The objects a sync of `snapshot` plans, or nil for all of them (a full sync): the first
    /// sync, a forced one, a retry after a failure, one whose resync is due, or one where the tree
    /// diff cannot be told. Otherwise the objects of the files the tree diff since the commit
    /// applied last touched, those whose manifest changed, appeared, disappeared or moved between
    /// files, and (when a changed path is no manifest file, e.g. a version's data) every dataset version.
    func incrementalScope(_ snapshot: CommitSnapshot, full: Bool) async -> Set<ObjectRef>? {
        guard !full, failures == 0, let applied, applied.commit == lastApplied, applied.commit != snapshot.commit else { return nil }
        let changed: Set<String>
        do {
            guard let paths = try await source.changedPaths(from: applied.commit, to: snapshot.commit) else { return nil }
            changed = paths
        } catch {
            logger.warning("cannot diff the commit against the one applied last; syncing every object: \(error)")
            return nil
        }
        var scope: Set<ObjectRef> = []
        var manifestFiles: Set<String> = []
        var present: Set<ObjectRef> = []
        for manifest in snapshot.manifests.manifests {
            let ref = manifest.ref
            present.insert(ref)
            manifestFiles.insert(manifest.origin.file)
            if changed.contains(manifest.origin.file)
                || applied.objects[ref] != AppliedObjects.Entry(file: manifest.origin.file, body: manifest.body)
            {
                scope.insert(ref)
            }
        }
        for (ref, entry) in applied.objects {
            manifestFiles.insert(entry.file)
            if !present.contains(ref) || changed.contains(entry.file) { scope.insert(ref) }
        }
        if !changed.isSubset(of: manifestFiles) {
            for manifest in snapshot.manifests.manifests where manifest.kind == .datasetVersion { scope.insert(manifest.ref) }
        }
        return scope
    }
}
