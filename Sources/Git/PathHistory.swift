import CLibGit2
import Foundation

/// A person and a time, as a commit records its author or committer.
public struct CommitSignature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// Seconds since 1970.
    public var time: Int64

    init(_ signature: git_signature) {
        name = String(cString: signature.name)
        email = String(cString: signature.email)
        time = Int64(signature.when.time)
    }
}

/// The newest commit that changed a path, and the merge it came in through.
public struct PathChange: Sendable, Hashable {
    public var commit: String
    public var author: CommitSignature
    public var committer: CommitSignature
    /// The merge commit on the head's first-parent line that brought `commit` in; nil when
    /// `commit` is on that line itself.
    public var merge: String?
}

/// What `Repository.lastChanges` found.
public struct PathHistory: Sendable {
    /// The paths asked about that changed in the walked commits.
    public var changes: [String: PathChange]
    /// Commits walked.
    public var walked: Int
    /// True when the walk stopped at its bound with commits left to walk.
    public var truncated: Bool
}

extension Repository {
    /// For each of `paths`, the newest commit between `base` (hidden, with its ancestors) and
    /// `head` that changed it, walking at most `maxCommits` commits (newest first, children
    /// before parents).
    ///
    /// A commit's changes are its tree against its first parent's. A path a merge brought in
    /// from another parent (equal to that parent's version) belongs to the commit on the merged
    /// branch that changed it, with the merge named; a path that differs from every parent was
    /// changed by the merge itself. A path that is not found before the bound is left out.
    public func lastChanges(of paths: Set<String>, head: String, hiding base: String?, maxCommits: Int) throws(GitError) -> PathHistory {
        var start = try peeledCommitID(head)
        var walk: OpaquePointer?
        try GitError.check(git_revwalk_new(&walk, handle), "start a revision walk")
        defer { git_revwalk_free(walk) }
        try GitError.check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort the walk")
        try GitError.check(git_revwalk_push(walk, &start), "walk from \(head)")
        if let base {
            var hidden = try peeledCommitID(base)
            try GitError.check(git_revwalk_hide(walk, &hidden), "hide \(base) from the walk")
        }
        var state = PathWalk(wanted: paths, mainline: [Self.hex(start)])
        var oid = git_oid()
        var walked = 0
        while !state.done {
            let status = git_revwalk_next(&oid, walk)
            if status == GIT_ITEROVER.rawValue { break }
            try GitError.check(status, "walk the commits of \(head)")
            if walked == maxCommits {
                state.finish()
                return PathHistory(changes: state.changes, walked: walked, truncated: true)
            }
            walked += 1
            try visit(oid, &state)
        }
        state.finish()
        return PathHistory(changes: state.changes, walked: walked, truncated: false)
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    public func isAncestor(_ ancestor: String, of descendant: String) throws(GitError) -> Bool {
        var old = try peeledCommitID(ancestor)
        var new = try peeledCommitID(descendant)
        if git_oid_cmp(&old, &new) == 0 { return true }
        let result = git_graph_descendant_of(handle, &new, &old)
        try GitError.check(result, "check whether \(ancestor) is an ancestor of \(descendant)")
        return result == 1
    }

    /// A commit as `lastChanges` names it, for a path attributed to it directly.
    public func change(commit id: String) throws(GitError) -> PathChange {
        var oid = try peeledCommitID(id)
        var commit: OpaquePointer?
        try GitError.check(git_commit_lookup(&commit, handle, &oid), "look up commit \(id)")
        defer { git_commit_free(commit) }
        return Self.change(commit, merge: nil)
    }

    static func change(_ commit: OpaquePointer?, merge: String?) -> PathChange {
        PathChange(
            commit: hex(git_commit_id(commit).pointee), author: CommitSignature(git_commit_author(commit).pointee),
            committer: CommitSignature(git_commit_committer(commit).pointee), merge: merge)
    }

    /// One commit of the walk: its changes against its parents, claimed or reserved in `state`.
    func visit(_ oid: git_oid, _ state: inout PathWalk) throws(GitError) {
        var oid = oid
        let id = Self.hex(oid)
        var commit: OpaquePointer?
        try GitError.check(git_commit_lookup(&commit, handle, &oid), "look up commit \(id)")
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try GitError.check(git_commit_tree(&tree, commit), "read the tree of \(id)")
        defer { git_tree_free(tree) }
        // An octopus merge of thousands of parents would cost a diff each: past `maxParents`, the
        // merge's changes are taken against the first parents only.
        let parents = min(Int(git_commit_parentcount(commit)), Self.maxParents)
        // Only the paths still unattributed are diffed (libgit2 then skips the rest of the tree).
        let remaining = state.wanted.subtracting(state.changes.keys)
        let onMainline = state.mainline.contains(id)
        let merge = onMainline ? nil : state.via[id]
        var diffs: [Set<String>] = []
        for index in 0..<max(parents, 1) {
            var parentTree: OpaquePointer?
            if parents > 0 {
                let parentID = Self.hex(git_commit_parent_id(commit, UInt32(index)).pointee)
                if onMainline && index == 0 {
                    state.mainline.insert(parentID)
                } else if state.via[parentID] == nil, let through = onMainline ? id : merge {
                    state.via[parentID] = through
                }
                var parent: OpaquePointer?
                try GitError.check(git_commit_parent(&parent, commit, UInt32(index)), "look up parent \(index) of \(id)")
                defer { git_commit_free(parent) }
                try GitError.check(git_commit_tree(&parentTree, parent), "read the tree of parent \(index) of \(id)")
            }
            defer { git_tree_free(parentTree) }
            diffs.append(try changedPaths(parentTree, tree, id, among: remaining).intersection(state.wanted))
        }
        let own = diffs.dropFirst().reduce(diffs[0]) { $0.intersection($1) }
        let broughtIn = diffs[0].subtracting(own)
        let change = Self.change(commit, merge: merge)
        for path in own.sorted() { state.claim(path, change, onMainline: onMainline) }
        for path in broughtIn.sorted() where onMainline { state.reserve(path, for: change) }
    }

    /// The most parents of one commit whose trees are compared.
    static let maxParents = 16

    /// Which of `paths` differ between two trees (either may be nil: the empty tree). The paths
    /// are an exact pathspec, so libgit2 does not descend into folders that hold none of them.
    func changedPaths(_ old: OpaquePointer?, _ new: OpaquePointer?, _ id: String, among paths: Set<String>) throws(GitError) -> Set<String>
    {
        guard !paths.isEmpty else { return [] }
        var strings: [UnsafeMutablePointer<CChar>?] = paths.sorted().map { strdup($0) }
        defer { strings.forEach { free($0) } }
        var diff: OpaquePointer?
        let status = strings.withUnsafeMutableBufferPointer { buffer in
            var options = git_diff_options()
            git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
            options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
            options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_diff_tree_to_tree(&diff, handle, old, new, &options)
        }
        try GitError.check(status, "diff commit \(id) against its parent")
        defer { git_diff_free(diff) }
        var paths: Set<String> = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            if let path = delta.old_file.path { paths.insert(String(cString: path)) }
            if let path = delta.new_file.path { paths.insert(String(cString: path)) }
        }
        return paths
    }
}

/// The state of one `lastChanges` walk.
struct PathWalk {
    let wanted: Set<String>
    /// The head and its first parents, as far as walked.
    var mainline: Set<String>
    /// Commits off the first-parent line: the mainline merge that brought each in.
    var via: [String: String] = [:]
    var changes: [String: PathChange] = [:]
    /// Paths a mainline merge brought in from a merged branch: the merge, until a commit on
    /// that branch claims them.
    var reserved: [String: PathChange] = [:]

    var done: Bool { changes.count == wanted.count }

    /// A commit changed `path`: it is the path's newest change unless a newer commit claimed it,
    /// or a newer merge brought the path in from a branch this commit is not on.
    mutating func claim(_ path: String, _ change: PathChange, onMainline: Bool) {
        guard changes[path] == nil else { return }
        if let merge = reserved[path] {
            guard !onMainline, change.merge == merge.commit else { return }
            reserved[path] = nil
        } else if !onMainline {
            return  // a branch's change that no merge brought in (changed again before the merge)
        }
        changes[path] = change
    }

    mutating func reserve(_ path: String, for merge: PathChange) {
        guard changes[path] == nil, reserved[path] == nil else { return }
        reserved[path] = merge
    }

    /// Paths a merge brought in whose branch commit was not reached: the merge's.
    mutating func finish() {
        for (path, merge) in reserved where changes[path] == nil {
            var change = merge
            change.merge = merge.commit
            changes[path] = change
        }
        reserved = [:]
    }
}
