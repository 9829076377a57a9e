import APIModel
import GitSource

extension SourceWorker {
    /// The sync's provenance with each manifest file's objects attributed to the commit that last
    /// changed the file since the commit applied last (author, committer, the merge that brought
    /// it in). When that cannot be told (no commit applied before, a force push, the walk's bound,
    /// a git error), objects are attributed to the head commit and `attribution` says why.
    func attributedProvenance(_ snapshot: CommitSnapshot) async -> SourceInfo {
        // The same commit again (a resync): as it was attributed when it was applied.
        if let applied = appliedSource, applied.commit == snapshot.commit, lastApplied == snapshot.commit { return applied }
        var info = provenance(snapshot)
        let authorship: Authorship
        do {
            guard let found = try await source.authors(of: snapshot, since: lastApplied) else { return info }
            authorship = found
        } catch {
            logger.warning("cannot tell who changed each manifest file; attributing every object to the head commit: \(error)")
            info.attribution = "head: cannot tell who changed the files (\(error))".split(separator: "\n").joined(separator: " ")
            return info
        }
        if let note = authorship.note {
            logger.info("attributing objects to the head commit", metadata: ["commit": .string(snapshot.commit), "reason": .string(note)])
        }
        info.committer = authorship.head.committer
        info.attribution = authorship.note.map { "head: \($0)" }
        for file in snapshot.manifestFiles {
            let (change, fallback) = authorship.change(for: file)
            // Unchanged since the commit applied last: as it was attributed then.
            if fallback != nil, authorship.note == nil, let applied = appliedSource, applied.commit == lastApplied,
                let previous = applied.files[file]
            {
                info.files[file] = previous
                continue
            }
            // On a source that verifies signatures only the head is checked: a commit below it
            // names its author unverified, and the attribution says so (review finding).
            let unverified = configuration.verify != nil && change.commit != snapshot.commit
            info.files[file] = SourceInfo.FileCommit(
                commit: change.commit, author: change.author, committer: change.committer, merge: change.merge,
                attribution: fallback.map { "head: \($0)" }
                    ?? (unverified ? "file (unsigned; the head's signer vouches for the tree)" : "file"))
        }
        return info
    }
}
