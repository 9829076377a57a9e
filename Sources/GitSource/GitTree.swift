import Git
import Manifests

/// A commit's tree as the manifests' `SourceTree`: data file paths are resolved from the
/// manifest's folder and must stay inside the repository.
///
/// Symbolic links (mode 120000) are followed while they stay inside the tree, like
/// `LocalSourceTree` follows them on disk; one whose target is absolute or climbs above the
/// root is `.linkOutsideRepository`. Folders and submodules are not regular files.
public struct GitTree: SourceTree {
    let entries: [String: TreeEntry]
    /// Symbolic link path -> its target, as stored in the link's blob.
    let links: [String: String]
    /// Blob id -> size, for the blobs `locate` is expected to report.
    let sizes: [String: Int64]

    init(entries: [String: TreeEntry], links: [String: String], sizes: [String: Int64]) {
        self.entries = entries
        self.links = links
        self.sizes = sizes
    }

    public func locate(_ path: String, from manifestFile: String) -> SourceFileStatus {
        guard !path.hasPrefix("/"), let joined = Self.join(Self.folder(of: manifestFile), path) else {
            return .outsideRepository
        }
        switch resolve(joined) {
        case .entry(let entry) where entry.kind == .file || entry.kind == .executable:
            return .file(repositoryPath: joined, size: sizes[entry.id] ?? 0)
        case .entry:
            return .notARegularFile(repositoryPath: joined)
        case .missing:
            return .notFound(repositoryPath: joined)
        case .outside(let target):
            return .linkOutsideRepository(target: target)
        }
    }

    enum Resolved: Equatable {
        case entry(TreeEntry)
        case missing
        /// A link on the way leads out of the tree; its target as written.
        case outside(String)
    }

    /// Follows `path` (clean, from the root) through folders and links, at most 32 links deep.
    func resolve(_ path: String) -> Resolved {
        var pending = path.split(separator: "/").map(String.init)
        var done: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let current = (done + [pending.removeFirst()]).joined(separator: "/")
            guard let entry = entries[current] else { return .missing }
            if entry.kind == .symlink {
                hops += 1
                guard hops <= 32, let target = links[current] else { return .missing }
                guard !target.hasPrefix("/"), let next = Self.join(Self.folder(of: current), target) else {
                    return .outside(target)
                }
                pending = next.split(separator: "/").map(String.init) + pending
                done = []
                continue
            }
            if pending.isEmpty { return .entry(entry) }
            guard entry.kind == .folder else { return .missing }
            done = current.split(separator: "/").map(String.init)
        }
        return .entry(TreeEntry(path: "", kind: .folder, id: ""))
    }

    /// `folder/relative` without `.` and `..`; nil when it climbs above the root.
    static func join(_ folder: String, _ relative: String) -> String? {
        var parts = folder.split(separator: "/").map(String.init)
        for part in relative.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
