import Git

extension GitSource {
    /// Repository-relative paths that differ between the trees of two cached commits (added,
    /// deleted, modified; a rename is both its paths): what an incremental sync replans.
    public func changedPaths(from old: String, to new: String) async throws(GitSourceError) -> Set<String> {
        let cache = self.cache
        return try await cache.reads.run { () throws(GitSourceError) -> Set<String> in
            let repository = try cache.repository()
            do throws(GitError) { return Set(try repository.changedPaths(from: old, to: new)) } catch {
                throw GitSourceError.cache(error, doing: "diff \(old)..\(new)")
            }
        }
    }
}
