/// Who and why, sent with every write as X-DataPilot-Source-* headers so that the server's
/// audit event records it and lineage links a commit to what it changed. The server reads the
/// same headers (ServiceKit's `SourceContext`) and never trusts them for authorisation.
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
        let values: [(ProvenanceHeader, String?)] = [
            (.tool, tool), (.repository, repository), (.commit, commit), (.author, author), (.path, path),
        ]
        return values.compactMap { header, value in value.map { (header.rawValue, $0) } }
    }
}

/// The provenance headers, named once for both sides.
public enum ProvenanceHeader: String, Sendable, CaseIterable {
    case repository = "X-DataPilot-Source-Repository"
    case commit = "X-DataPilot-Source-Commit"
    case author = "X-DataPilot-Source-Author"
    case path = "X-DataPilot-Source-Path"
    case tool = "X-DataPilot-Source-Tool"

    /// Longest value the server keeps; longer ones are cut.
    public static let maxValue = 512
}
