import CLibGit2

extension Repository {
    /// The commit a revision names, as `git rev-parse REV^{commit}` finds it: a branch, tag or
    /// remote-tracking name (`main`, `origin/main`, `refs/pull/7/head`), `HEAD`, `HEAD~1`, or a
    /// (possibly abbreviated) commit id. Tags are peeled to their commit.
    public func commitID(revision: String) throws(GitError) -> String {
        var object: OpaquePointer?
        try GitError.check(git_revparse_single(&object, handle, revision), "resolve revision \"\(revision)\"")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try GitError.check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "peel \"\(revision)\" to a commit")
        defer { git_object_free(commit) }
        return Self.hex(git_object_id(commit).pointee)
    }
}
