import CLibGit2

extension Repository {
    /// Opens the bare repository at `path`, creating it (`git init --bare`) when the folder has none.
    public static func openOrCreateBare(at path: String) throws(GitError) -> Repository {
        _ = LibGit2.initialized
        var handle: OpaquePointer?
        if git_repository_open_ext(&handle, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_BARE.rawValue), nil)
            == 0
        {
            return Repository(handle: handle!)
        }
        try GitError.check(git_repository_init(&handle, path, 1), "create bare repository \(path)")
        return Repository(handle: handle!)
    }

    /// Whether the object database holds `id` (a 40-hex object id).
    public func contains(_ id: String) -> Bool {
        guard var oid = try? Self.oid(id) else { return false }
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, handle) == 0 else { return false }
        defer { git_odb_free(odb) }
        return git_odb_exists(odb, &oid) == 1
    }

    /// The commit `id` names, peeling annotated tags.
    public func commit(id: String) throws(GitError) -> CommitInfo {
        try commit(peeledCommitID(id))
    }

    /// The commit a reference (`refs/...`) points at, peeling tags; nil when the reference is missing.
    public func commitID(reference name: String) throws(GitError) -> String? {
        var oid = git_oid()
        let status = git_reference_name_to_id(&oid, handle, name)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try GitError.check(status, "resolve \(name)")
        return Self.hex(try peeledCommitID(Self.hex(oid)))
    }

    func peeledCommitID(_ id: String) throws(GitError) -> git_oid {
        var oid = try Self.oid(id)
        var object: OpaquePointer?
        try GitError.check(git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY), "look up \(id)")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try GitError.check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "peel \(id) to a commit")
        defer { git_object_free(commit) }
        return git_object_id(commit).pointee
    }

    static func oid(_ hex: String) throws(GitError) -> git_oid {
        var oid = git_oid()
        guard hex.utf8.count == Int(GIT_OID_HEXSZ) else {
            throw GitError(code: .notFound, operation: "parse object id", message: "\"\(hex)\" is not a 40-hex object id")
        }
        try GitError.check(git_oid_fromstr(&oid, hex), "parse object id \(hex)")
        return oid
    }
}
