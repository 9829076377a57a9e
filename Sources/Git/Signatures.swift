import CLibGit2

/// A commit's signature as git stores it (the `gpgsig` header: an armored OpenPGP or SSH
/// signature) and the bytes it signs: the commit object without that header.
public struct ExtractedSignature: Sendable, Hashable {
    public var signature: [UInt8]
    public var signedData: [UInt8]
}

extension Repository {
    /// The signature of commit `id` and what it signs (`git_commit_extract_signature`), or nil
    /// when the commit carries none.
    public func signature(ofCommit id: String) throws(GitError) -> ExtractedSignature? {
        var oid = try peeledCommitID(id)
        var signature = git_buf()
        var signed = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signed)
        }
        let status = git_commit_extract_signature(&signature, &signed, handle, &oid, nil)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try GitError.check(status, "read the signature of commit \(id)")
        return ExtractedSignature(signature: Self.bytes(signature), signedData: Self.bytes(signed))
    }

    static func bytes(_ buffer: git_buf) -> [UInt8] {
        guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: buffer.size))
    }
}
