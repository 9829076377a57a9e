/// Which repository, reference and folder a source follows, and how to reach it.
public struct SourceSpec: Sendable, Hashable {
    /// The source's name (DNS-label-like); names the cache repository.
    public var name: String
    /// `file://`, `git://`, `http(s)://` or `ssh://user@host:port/path`.
    public var url: String
    /// A full reference name (`refs/heads/main`, `refs/tags/v1`) or a 40-hex commit id.
    public var ref: String
    /// The folder inside the repository holding the manifests (`""` or `"."` for the root).
    public var path: String
    public var auth: GitAuth
    /// Wall-clock limit of each network operation (listing references, fetching).
    public var timeoutSeconds: Int

    public init(name: String, url: String, ref: String, path: String, auth: GitAuth, timeoutSeconds: Int) {
        self.name = name
        self.url = url
        self.ref = ref
        self.path = path
        self.auth = auth
        self.timeoutSeconds = timeoutSeconds
    }
}
