import Git

/// Who changed each manifest file between the commit applied last and a new head
/// (`GitSource.authors(since:until:paths:)`): per path the commit that last changed it, with its
/// author, committer and the merge that brought it in; the head for the paths it could not tell.
public struct Authorship: Sendable {
    /// One commit as a file's change is attributed to it.
    public struct Change: Sendable, Hashable {
        public var commit: String
        /// `Name <email>`.
        public var author: String
        /// `Name <email>`.
        public var committer: String
        /// The merge commit that brought `commit` onto the branch, when it came in through one.
        public var merge: String?

        init(_ change: PathChange) {
            commit = change.commit
            author = "\(change.author.name) <\(change.author.email)>"
            committer = "\(change.committer.name) <\(change.committer.email)>"
            merge = change.merge
        }
    }

    /// The head commit itself.
    public var head: Change
    /// The paths whose last change was found.
    public var changes: [String: Change]
    /// Why the paths not in `changes` are attributed to the head (a force push, no commit
    /// applied before, the walk's bound); nil when they simply did not change since.
    public var note: String?
    /// Commits walked.
    public var walked: Int

    /// The commit `path`'s objects are attributed to, and why it is the head when it is.
    public func change(for path: String) -> (change: Change, fallback: String?) {
        if let found = changes[path] { return (found, nil) }
        return (head, note ?? "\(path) did not change since the commit applied last")
    }
}

extension GitSource {
    /// How many commits `authors(since:until:paths:)` walks at most by default.
    public static let maxAuthorCommits = 1000

    /// For each of `paths` (repository-relative), the newest commit between `since` (the commit
    /// applied last, excluded) and `until` (the new head) that changed it; see `Authorship`.
    ///
    /// A revision walk with a tree diff per commit (a merge against its first parent), at most
    /// `maxCommits` commits. When `since` is nil, not in the cache or not an ancestor of `until`
    /// (a force push), every path is attributed to `until` and `note` says why.
    public func authors(
        since: String?, until: String, paths: [String], maxCommits: Int = GitSource.maxAuthorCommits
    ) async throws(GitSourceError) -> Authorship {
        let cache = self.cache
        return try await cache.reads.run { () throws(GitSourceError) -> Authorship in
            let repository = try cache.repository()
            do throws(GitError) {
                let head = Authorship.Change(try repository.change(commit: until))
                var authorship = Authorship(head: head, changes: [:], note: nil, walked: 0)
                guard let since else {
                    authorship.note = "no commit was applied before: attributed to the head commit \(until)"
                    return authorship
                }
                guard repository.contains(since), try repository.isAncestor(since, of: until) else {
                    authorship.note =
                        "the commit applied last, \(since), is not an ancestor of \(until) (the branch was rewritten, e.g. by a force push):"
                        + " attributed to the head commit"
                    return authorship
                }
                let history = try repository.lastChanges(of: Set(paths), head: until, hiding: since, maxCommits: maxCommits)
                authorship.changes = history.changes.mapValues(Authorship.Change.init)
                authorship.walked = history.walked
                if history.truncated {
                    authorship.note =
                        "more than \(maxCommits) commits since the commit applied last (\(since)); files not changed in the newest"
                        + " \(maxCommits) are attributed to the head commit"
                }
                return authorship
            } catch {
                throw GitSourceError.cache(error, doing: "find who changed the manifests between \(since ?? "-") and \(until)")
            }
        }
    }
}
