/// Who and why, sent with every write as X-DataPilot-Source-* headers so that the server's
/// audit event records it and lineage links a commit to what it changed.
public struct SourceInfo: Sendable, Hashable {
    public var repository: String?
    public var commit: String?
    public var author: String?
    public var tool: String

    public init(repository: String? = nil, commit: String? = nil, author: String? = nil, tool: String) {
        self.repository = repository
        self.commit = commit
        self.author = author
        self.tool = tool
    }

    /// The headers for a write of the object from manifest file `path` (repository-relative).
    public func headers(path: String?) -> [(String, String)] {
        var out: [(String, String)] = [("X-DataPilot-Source-Tool", tool)]
        if let repository { out.append(("X-DataPilot-Source-Repository", repository)) }
        if let commit { out.append(("X-DataPilot-Source-Commit", commit)) }
        if let author { out.append(("X-DataPilot-Source-Author", author)) }
        if let path { out.append(("X-DataPilot-Source-Path", path)) }
        return out
    }
}
