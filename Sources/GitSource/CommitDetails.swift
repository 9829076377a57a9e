/// The commit a snapshot was read from.
public struct CommitDetails: Sendable, Hashable {
    public var id: String
    /// The whole message.
    public var message: String
    /// Its first paragraph on one line.
    public var summary: String
    public var authorName: String
    public var authorEmail: String
    /// Author time, seconds since 1970.
    public var time: Int64
}
