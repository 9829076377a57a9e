import CLibGit2
import Foundation

/// A reference as the remote advertises it (`git ls-remote`).
public struct RemoteHead: Sendable, Hashable {
    public var name: String
    public var id: String
}

/// Network operations. Each blocks until done, failed, or aborted by its `RemoteAccess` deadline
/// (checked in every callback); run them off the cooperative pool.
public enum Remote {
    /// Connects, lists the remote's references, disconnects; needs no repository.
    public static func list(url: String, access: RemoteAccess, session: RemoteSession) throws(GitError) -> [RemoteHead] {
        _ = LibGit2.initialized
        var remote: OpaquePointer?
        try GitError.check(git_remote_create_detached(&remote, url), "open remote \(url)")
        defer { git_remote_free(remote) }
        var heads: [RemoteHead] = []
        let status: Int32 = withRemoteCallbacks(access, session) { callbacks in
            var callbacks = callbacks
            let connected = git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil)
            guard connected == 0 else { return connected }
            defer { git_remote_disconnect(remote) }
            var list: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
            var count = 0
            let listed = git_remote_ls(&list, &count, remote)
            guard listed == 0 else { return listed }
            for index in 0..<count {
                guard let head = list?[index]?.pointee else { continue }
                heads.append(RemoteHead(name: String(cString: head.name), id: Repository.hex(head.oid)))
            }
            return 0
        }
        try GitError.check(status, "list references of \(url)")
        return heads
    }
}

extension Repository {
    /// Fetches `refspecs` (e.g. `+refs/heads/main:refs/mirror/heads/main`) from `url` without a
    /// configured remote, tags only as the refspecs name them, never pruning. The URL is used
    /// as given, as `list` does: no `url.<base>.insteadOf` rewriting from the git configuration
    /// (a rewrite would fetch from another place than the one checked and listed). Skipping it
    /// also skips libgit2 1.5's configuration regex, which leaked some 250 KB a fetch (pcre2
    /// match data; bench/soak's reconciler heap grew by 38 MB in 120 commits, found by heaptrack).
    public func fetch(url: String, refspecs: [String], access: RemoteAccess, session: RemoteSession) throws(GitError) {
        var remote: OpaquePointer?
        var create = git_remote_create_options()
        git_remote_create_options_init(&create, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        create.repository = handle
        create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue
        try GitError.check(git_remote_create_with_opts(&remote, url, &create), "open remote \(url)")
        defer { git_remote_free(remote) }
        var strings: [UnsafeMutablePointer<CChar>?] = refspecs.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        let status: Int32 = withRemoteCallbacks(access, session) { callbacks in
            var options = git_fetch_options()
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
            options.callbacks = callbacks
            options.prune = GIT_FETCH_NO_PRUNE
            options.update_fetchhead = 0
            options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
            return strings.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                return git_remote_fetch(remote, &array, &options, "datapilot: fetch")
            }
        }
        try GitError.check(status, "fetch from \(url)")
    }
}
