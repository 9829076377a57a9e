/// What `resolve()` found: the commit the spec's reference names now, and what it cost.
public struct Resolution: Sendable {
    public var commit: String
    /// False when listing the remote's references showed the cache already had the commit.
    public var fetched: Bool
    public var lsRemoteSeconds: Double
    /// Nil when nothing was fetched.
    public var fetchSeconds: Double?
}
