import CLibGit2

#if canImport(Glibc)
    import Glibc
#endif

/// libgit2 is initialised once per process, on first use.
public enum LibGit2 {
    static let initialized: Bool = {
        // libgit2 writes to git://, http:// and https:// remotes with plain send(), and leaves
        // SIGPIPE to the application: a remote that hangs up mid-request would kill the whole
        // process (the reconciler, dpctl, a test run) instead of failing one fetch with EPIPE.
        signal(SIGPIPE, SIG_IGN)
        git_libgit2_init()
        // A long-running reconciler fetches a pack per commit; libgit2 kept every pack it had
        // read open (one descriptor per commit, found by bench/soak). Older ones close now.
        _ = datapilot_git_set_mwindow_file_limit(maxOpenPackFiles)
        return true
    }()

    /// Pack files a process keeps open at most.
    public static let maxOpenPackFiles = 64

    /// Whether this process survives a remote that hangs up while libgit2 writes to it.
    public static var ignoresBrokenPipes: Bool {
        _ = initialized
        var current = sigaction()
        sigaction(SIGPIPE, nil, &current)
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}

/// A commit's identity and its author, as the reconciler records them.
public struct CommitInfo: Sendable, Hashable {
    public var id: String
    public var summary: String
    /// The whole message, summary included.
    public var message: String
    public var authorName: String
    public var authorEmail: String
    /// Seconds since 1970.
    public var time: Int64
}

/// An open git repository. Not thread-safe (libgit2 objects aren't): confine each instance to
/// one thread at a time, off the async cooperative pool, since every call blocks.
public final class Repository {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    deinit { git_repository_free(handle) }

    /// Opens the repository at `path` (a work tree, its `.git` folder, or a bare repository).
    public static func open(at path: String) throws(GitError) -> Repository {
        _ = LibGit2.initialized
        var handle: OpaquePointer?
        try GitError.check(
            git_repository_open_ext(&handle, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil),
            "open repository \(path)")
        return Repository(handle: handle!)
    }

    /// The full name HEAD points at (`refs/heads/main`), or nil when HEAD is detached.
    public func headReferenceName() throws(GitError) -> String? {
        var reference: OpaquePointer?
        try GitError.check(git_repository_head(&reference, handle), "read HEAD")
        defer { git_reference_free(reference) }
        guard git_reference_is_branch(reference) == 1 else { return nil }
        return String(cString: git_reference_name(reference))
    }

    /// The commit HEAD points at.
    public func headCommit() throws(GitError) -> CommitInfo {
        var oid = git_oid()
        try GitError.check(git_reference_name_to_id(&oid, handle, "HEAD"), "resolve HEAD")
        return try commit(oid)
    }

    func commit(_ oid: git_oid) throws(GitError) -> CommitInfo {
        var oid = oid
        var commit: OpaquePointer?
        try GitError.check(git_commit_lookup(&commit, handle, &oid), "look up commit")
        defer { git_commit_free(commit) }
        let author = git_commit_author(commit)!.pointee
        return CommitInfo(
            id: Self.hex(oid),
            summary: git_commit_summary(commit).map { String(cString: $0) } ?? "",
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            authorName: String(cString: author.name),
            authorEmail: String(cString: author.email),
            time: Int64(git_commit_time(commit)))
    }

    static func hex(_ oid: git_oid) -> String {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_tostr(&buffer, buffer.count, &oid)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
