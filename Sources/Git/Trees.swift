import CLibGit2

/// One entry of a commit's tree, as `git ls-tree -r -t` lists it.
public struct TreeEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case file, executable, symlink, folder, submodule
    }

    /// From the tree's root, `/`-separated, no leading slash.
    public var path: String
    public var kind: Kind
    /// The blob, tree or (for a submodule) commit id.
    public var id: String

    public init(path: String, kind: Kind, id: String) {
        self.path = path
        self.kind = kind
        self.id = id
    }
}

extension Repository {
    /// Every entry of the tree of commit `id`, folders before their contents.
    public func treeEntries(commit id: String) throws(GitError) -> [TreeEntry] {
        let tree = try tree(ofCommit: id)
        defer { git_tree_free(tree) }
        final class Collector { var entries: [TreeEntry] = [] }
        let collector = Collector()
        let status = git_tree_walk(
            tree, GIT_TREEWALK_PRE,
            { root, entry, payload in
                let collector = Unmanaged<Collector>.fromOpaque(payload!).takeUnretainedValue()
                let kind: TreeEntry.Kind? =
                    switch git_tree_entry_filemode(entry) {
                    case GIT_FILEMODE_BLOB: .file
                    case GIT_FILEMODE_BLOB_EXECUTABLE: .executable
                    case GIT_FILEMODE_LINK: .symlink
                    case GIT_FILEMODE_TREE: .folder
                    case GIT_FILEMODE_COMMIT: .submodule
                    default: nil
                    }
                guard let kind else { return 0 }
                let path = String(cString: root!) + String(cString: git_tree_entry_name(entry))
                collector.entries.append(TreeEntry(path: path, kind: kind, id: Repository.hex(git_tree_entry_id(entry).pointee)))
                return 0
            }, Unmanaged.passUnretained(collector).toOpaque())
        try GitError.check(status, "walk the tree of \(id)")
        return collector.entries
    }

    /// Paths (from the root) that differ between the trees of two commits: added, deleted, modified.
    public func changedPaths(from old: String, to new: String) throws(GitError) -> [String] {
        let oldTree = try tree(ofCommit: old)
        defer { git_tree_free(oldTree) }
        let newTree = try tree(ofCommit: new)
        defer { git_tree_free(newTree) }
        var diff: OpaquePointer?
        try GitError.check(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil), "diff \(old)..\(new)")
        defer { git_diff_free(diff) }
        var paths: Set<String> = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            if let path = delta.old_file.path { paths.insert(String(cString: path)) }
            if let path = delta.new_file.path { paths.insert(String(cString: path)) }
        }
        return paths.sorted()
    }

    func tree(ofCommit id: String) throws(GitError) -> OpaquePointer? {
        var oid = try peeledCommitID(id)
        var commit: OpaquePointer?
        try GitError.check(git_commit_lookup(&commit, handle, &oid), "look up commit \(id)")
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try GitError.check(git_commit_tree(&tree, commit), "read the tree of \(id)")
        return tree
    }
}
