import Blocking
import Dispatch
import Git
import Manifests

/// One git repository the reconciler follows: resolves the spec's reference to a commit
/// (listing the remote's references first, fetching only what the cache lacks) and reads
/// snapshots of manifests straight from commits' trees.
///
/// Every libgit2 call runs on the source's own threads (see `SourceCache`), never on the
/// cooperative pool. Each network operation ends after `spec.timeoutSeconds`: callbacks abort
/// it, and a watchdog answers the caller with `.timeout` even when libgit2 is blocked on a socket
/// that never answers (libgit2 1.5 has no socket timeouts). Such an abandoned call keeps its
/// thread until the server closes the connection; it shares no handle with later operations.
public final class GitSource: Sendable {
    public let spec: SourceSpec
    let cache: SourceCache

    /// The cache is `cacheDirectory/<sanitised name>-<short hash of url>.git`, created on first use.
    public init(spec: SourceSpec, cacheDirectory: String) {
        self.spec = spec
        cache = SourceCache(name: spec.name, url: spec.url, cacheDirectory: cacheDirectory)
    }

    init(spec: SourceSpec, cache: SourceCache) {
        self.spec = spec
        self.cache = cache
    }

    /// The commit `spec.ref` names now. Lists the remote's references, then fetches only when the
    /// cache lacks that commit (for a pinned commit id: all branches and tags, then checks).
    public func resolve() async throws(GitSourceError) -> Resolution {
        let valid = try ValidatedSpec(spec)
        let url = spec.url
        let listStart = DispatchTime.now()
        let heads = try await remote("list the references of \(valid.displayURL)", valid) { access, session, fail throws(GitSourceError) in
            do throws(GitError) { return try Remote.list(url: url, access: access, session: session) } catch { throw fail(error) }
        }
        let lsRemoteSeconds = Self.seconds(since: listStart)
        switch valid.target {
        case .reference(let name):
            guard let advertised = Self.commit(of: name, in: heads) else {
                let names = heads.map(\.name).filter { $0.hasPrefix("refs/") && !$0.hasSuffix("^{}") }
                let listed = names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", ..." : "")
                throw GitSourceError(
                    .notFound,
                    "ref \(name) is gone from the remote \(valid.displayURL) (deleted, or never pushed); it has \(listed.isEmpty ? "no references" : listed); fix spec.ref or push the ref"
                )
            }
            if try await hasCommit(advertised) {
                return Resolution(commit: advertised, fetched: false, lsRemoteSeconds: lsRemoteSeconds, fetchSeconds: nil)
            }
            let local = "refs/datapilot/" + name.dropFirst("refs/".count)
            let fetchSeconds = try await fetch(valid, ["+\(name):\(local)"], what: name)
            let commit = try await cache.reads.run { [cache] () throws(GitSourceError) -> String? in
                let repository = try cache.repository()
                do throws(GitError) { return try repository.commitID(reference: local) } catch {
                    throw GitSourceError.cache(error, doing: "read \(local)")
                }
            }
            guard let commit else {
                throw GitSourceError(
                    .notFound, "the fetch from \(valid.displayURL) did not bring \(name); it may have been deleted meanwhile")
            }
            return Resolution(commit: commit, fetched: true, lsRemoteSeconds: lsRemoteSeconds, fetchSeconds: fetchSeconds)
        case .commit(let id):
            if try await hasCommit(id) {
                return Resolution(commit: id, fetched: false, lsRemoteSeconds: lsRemoteSeconds, fetchSeconds: nil)
            }
            let fetchSeconds = try await fetch(
                valid, ["+refs/heads/*:refs/datapilot/heads/*", "+refs/tags/*:refs/datapilot/tags/*"],
                what: "all branches and tags")
            guard try await hasCommit(id) else {
                throw GitSourceError(
                    .notFound,
                    "commit \(id) is on no branch or tag of \(valid.displayURL); check the id, or push a ref that contains it")
            }
            return Resolution(commit: id, fetched: true, lsRemoteSeconds: lsRemoteSeconds, fetchSeconds: fetchSeconds)
        }
    }

    /// The commit a reference points at, as advertised: the peeled `name^{}` entry for annotated tags.
    static func commit(of name: String, in heads: [RemoteHead]) -> String? {
        heads.first { $0.name == name + "^{}" }?.id ?? heads.first { $0.name == name }?.id
    }

    func fetch(_ valid: ValidatedSpec, _ refspecs: [String], what: String) async throws(GitSourceError) -> Double {
        let start = DispatchTime.now()
        let url = spec.url
        let cache = self.cache
        try await remote("fetch \(what) from \(valid.displayURL)", valid) { access, session, fail throws(GitSourceError) in
            let repository = try cache.openOrCreate()
            do throws(GitError) { try repository.fetch(url: url, refspecs: refspecs, access: access, session: session) } catch {
                throw fail(error)
            }
        }
        await cache.reads.run { cache.retireReadHandle() }
        return Self.seconds(since: start)
    }

    func hasCommit(_ id: String) async throws(GitSourceError) -> Bool {
        try await cache.reads.run { [cache] () throws(GitSourceError) -> Bool in
            let repository = try cache.repository()
            return repository.contains(id) && (try? repository.commit(id: id)) != nil
        }
    }

    /// Runs one network operation on its own thread under the spec's deadline; `body` maps
    /// libgit2's errors with the `fail` it is given.
    func remote<T: Sendable>(
        _ operation: String, _ valid: ValidatedSpec,
        _ body: @escaping @Sendable (RemoteAccess, RemoteSession, (GitError) -> GitSourceError) throws(GitSourceError) -> T
    ) async throws(GitSourceError) -> T {
        let timeout = spec.timeoutSeconds
        let session = RemoteSession()
        let deadline = DispatchTime.now() + .seconds(timeout)
        let access = valid.access(spec.auth, deadline: deadline)
        return try await cache.network.run(
            deadline: deadline,
            onTimeout: { session.abort(.timedOut(seconds: Double(timeout))) },
            timeoutError: { GitSourceError.timedOut(operation, timeout) }
        ) { () throws(GitSourceError) -> T in
            try body(access, session) { error in GitSourceError.remote(error, session: session, doing: operation, timeout: timeout) }
        }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
