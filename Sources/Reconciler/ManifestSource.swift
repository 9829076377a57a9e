import GitSource
import Manifests
import SyncEngine
import Synchronization

/// Where the loop reads desired state from: the commit a reference names now, and that
/// commit's manifests. `GitManifestSource` reads a git repository; tests use one in memory.
public protocol ManifestSource: Sendable {
    /// The commit the source's reference names now.
    func resolve() async throws(GitSourceError) -> SourceResolution
    /// The manifests of `commit`, validated as a set.
    func snapshot(commit: String) async throws(GitSourceError) -> CommitSnapshot
    /// Who last changed each of the snapshot's manifest files since `since` (the commit applied
    /// last); nil when the source cannot tell, and every object is attributed to the snapshot's commit.
    func authors(of snapshot: CommitSnapshot, since: String?) async throws(GitSourceError) -> Authorship?
    /// The signature of `commit` and what it signs; nil when it is unsigned.
    func signature(commit: String) async throws(GitSourceError) -> CommitSignature?
    /// Repository paths that differ between two commits' trees; nil when the source cannot tell
    /// (then every sync plans every object).
    func changedPaths(from old: String, to new: String) async throws(GitSourceError) -> Set<String>?
}

extension ManifestSource {
    public func authors(of snapshot: CommitSnapshot, since: String?) async throws(GitSourceError) -> Authorship? { nil }
    /// A source without signatures: every commit is unsigned.
    public func signature(commit: String) async throws(GitSourceError) -> CommitSignature? { nil }
    public func changedPaths(from old: String, to new: String) async throws(GitSourceError) -> Set<String>? { nil }
}

/// What resolving found: the commit, and what the git operations cost (for the metrics).
public struct SourceResolution: Sendable {
    public var commit: String
    public var lsRemoteSeconds: Double
    /// Nil when nothing was fetched.
    public var fetchSeconds: Double?

    public init(commit: String, lsRemoteSeconds: Double = 0, fetchSeconds: Double? = nil) {
        self.commit = commit
        self.lsRemoteSeconds = lsRemoteSeconds
        self.fetchSeconds = fetchSeconds
    }
}

/// One commit's manifests as the loop uses them: what to apply, who wrote it, and where the
/// versions' data comes from.
public struct CommitSnapshot: Sendable {
    public var commit: String
    /// `Name <email>`.
    public var author: String
    public var message: String
    public var manifests: ManifestSet
    public var content: any ContentProvider
    /// Who signed the commit, when the source verifies signatures and the signer is trusted.
    public var signer: String?
    /// Each manifest file's content identity (its git blob; a followed link's target's): equal
    /// identities, equal manifests. Nil when the source cannot tell.
    public var fileVersions: [String: String]?

    public init(commit: String, author: String, message: String, manifests: ManifestSet, content: any ContentProvider) {
        self.commit = commit
        self.author = author
        self.message = message
        self.manifests = manifests
        self.content = content
    }
}

extension CommitSnapshot {
    /// The files holding the snapshot's manifests, each once. The manifests come file by file, so
    /// only a file boundary is hashed (a 100,000-manifest commit hashes its files, not every path).
    public var manifestFiles: Set<String> {
        var files: Set<String> = []
        var last: String?
        for manifest in manifests.manifests where manifest.origin.file != last {
            last = manifest.origin.file
            files.insert(manifest.origin.file)
        }
        return files
    }
}

/// The git repository of a source: ls-remote first, a fetch only when the cache lacks the
/// commit, and snapshots that reparse only the files changed since the previous one.
public final class GitManifestSource: ManifestSource {
    let git: GitSource
    private let previous = Mutex<Snapshot?>(nil)

    public init(spec: SourceSpec, cacheDirectory: String) {
        git = GitSource(spec: spec, cacheDirectory: cacheDirectory)
    }

    public func resolve() async throws(GitSourceError) -> SourceResolution {
        let resolution = try await git.resolve()
        return SourceResolution(
            commit: resolution.commit, lsRemoteSeconds: resolution.lsRemoteSeconds, fetchSeconds: resolution.fetchSeconds)
    }

    public func snapshot(commit: String) async throws(GitSourceError) -> CommitSnapshot {
        let held = previous.withLock { $0 }
        let snapshot: Snapshot
        if let held, held.commit.id == commit {
            snapshot = held  // the same commit again (a drift scan): the same tree, nothing to read
        } else {
            snapshot = try await git.snapshot(
                commit: commit, previous: held, options: LoadOptions(recursive: true, allowExternalReferences: true))
            previous.withLock { $0 = snapshot }
        }
        let details = snapshot.commit
        var out = CommitSnapshot(
            commit: details.id, author: "\(details.authorName) <\(details.authorEmail)>", message: details.message,
            manifests: snapshot.manifests, content: GitContent(snapshot: snapshot))
        out.fileVersions = snapshot.blobs
        return out
    }

    public func authors(of snapshot: CommitSnapshot, since: String?) async throws(GitSourceError) -> Authorship? {
        let files = snapshot.manifestFiles.sorted()
        return try await git.authors(since: since, until: snapshot.commit, paths: files)
    }

    public func signature(commit: String) async throws(GitSourceError) -> CommitSignature? {
        try await git.signature(commit: commit)
    }

    public func changedPaths(from old: String, to new: String) async throws(GitSourceError) -> Set<String>? {
        try await git.changedPaths(from: old, to: new)
    }
}
