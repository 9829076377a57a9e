import Git

/// A commit's signature and the bytes it signs (the commit object without its `gpgsig`
/// header), read from the source's cache for the reconciler's `verify` check.
public struct CommitSignature: Sendable, Hashable {
    public var commit: String
    /// The armored signature: `-----BEGIN PGP SIGNATURE-----` or `-----BEGIN SSH SIGNATURE-----`.
    public var signature: [UInt8]
    public var signedData: [UInt8]

    public init(commit: String, signature: [UInt8], signedData: [UInt8]) {
        self.commit = commit
        self.signature = signature
        self.signedData = signedData
    }
}

extension GitSource {
    /// The signature of `commit` (already in the cache) and what it signs; nil when it is unsigned.
    public func signature(commit: String) async throws(GitSourceError) -> CommitSignature? {
        try await cache.reads.run { [cache] () throws(GitSourceError) -> CommitSignature? in
            let repository = try cache.repository()
            do throws(GitError) {
                guard let extracted = try repository.signature(ofCommit: commit) else { return nil }
                return CommitSignature(commit: commit, signature: extracted.signature, signedData: extracted.signedData)
            } catch {
                throw GitSourceError.cache(error, doing: "read the signature of commit \(commit)")
            }
        }
    }
}
