/// Who and why, sent with every write as X-DataPilot-Source-* headers so that the server's
/// audit event records it and lineage links a commit to what it changed. The server reads the
/// same headers (ServiceKit's `SourceContext`) and never trusts them for authorisation.
public struct SourceInfo: Sendable, Hashable {
    /// The commit one manifest file's objects are attributed to: the one that last changed the file.
    public struct FileCommit: Sendable, Hashable {
        public var commit: String
        /// `Name <email>`.
        public var author: String
        /// `Name <email>`.
        public var committer: String
        /// The merge commit that brought `commit` onto the branch, when it came in through one.
        public var merge: String?
        /// How the commit was chosen: `file` (it last changed the file) or `head: <why>`.
        public var attribution: String

        public init(commit: String, author: String, committer: String, merge: String?, attribution: String) {
            self.commit = commit
            self.author = author
            self.committer = committer
            self.merge = merge
            self.attribution = attribution
        }
    }

    public var repository: String?
    public var commit: String?
    public var author: String?
    public var tool: String
    public var committer: String?
    /// Per repository-relative manifest file: overrides commit, author and committer for that file's objects.
    public var files: [String: FileCommit] = [:]
    /// How `commit` was chosen for writes not in `files` (e.g. `head: <why>`); nil to say nothing.
    public var attribution: String?

    public init(repository: String? = nil, commit: String? = nil, author: String? = nil, tool: String) {
        self.repository = repository
        self.commit = commit
        self.author = author
        self.tool = tool
    }

    /// The headers for a write of the object from manifest file `path` (repository-relative).
    public func headers(path: String?) -> [(String, String)] {
        var values: [(ProvenanceHeader, String?)] = [
            (.tool, tool), (.repository, repository), (.commit, commit), (.author, author), (.path, path),
            (.committer, committer), (.attribution, attribution),
        ]
        if let file = path.flatMap({ files[$0] }) {
            values = [
                (.tool, tool), (.repository, repository), (.commit, file.commit), (.author, file.author), (.path, path),
                (.committer, file.committer), (.merge, file.merge), (.attribution, file.attribution),
            ]
        }
        // Names and messages come from commits: a control character (CR, LF) has no place in a header.
        return values.compactMap { header, value in value.map { (header.rawValue, Self.headerSafe($0)) } }
    }

    /// `text` without control characters.
    static func headerSafe(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F })
        return String(scalars)
    }
}

/// The provenance headers, named once for both sides.
public enum ProvenanceHeader: String, Sendable, CaseIterable {
    case repository = "X-DataPilot-Source-Repository"
    case commit = "X-DataPilot-Source-Commit"
    case author = "X-DataPilot-Source-Author"
    case path = "X-DataPilot-Source-Path"
    case tool = "X-DataPilot-Source-Tool"
    case committer = "X-DataPilot-Source-Committer"
    /// The merge commit that brought the commit onto the branch.
    case merge = "X-DataPilot-Source-Merge"
    /// How the commit was attributed: `file` (the commit that last changed the manifest file) or `head: <why>`.
    case attribution = "X-DataPilot-Source-Attribution"

    /// Longest value the server keeps; longer ones are cut.
    public static let maxValue = 512
}
