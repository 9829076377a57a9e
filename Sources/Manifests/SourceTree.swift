import Foundation

/// What a data file path written in a manifest leads to.
public enum SourceFileStatus: Sendable, Equatable {
    /// A regular file; `repositoryPath` is relative to the repository root.
    case file(repositoryPath: String, size: Int64)
    case notFound(repositoryPath: String)
    case outsideRepository
    case linkOutsideRepository(target: String)
    case notARegularFile(repositoryPath: String)
}

/// The files next to the manifests: the local file system now, a git commit's tree later.
/// Paths are resolved from the manifest's folder and must stay inside the repository root.
public protocol SourceTree: Sendable {
    func locate(_ path: String, from manifestFile: String) -> SourceFileStatus
}

/// A folder on disk as the repository.
public struct LocalSourceTree: SourceTree {
    public let root: String
    let realRoot: String

    public init(root: String) {
        self.root = LocalSourceTree.absolute(root)
        self.realRoot = LocalSourceTree.realPath(self.root) ?? self.root
    }

    /// The repository root for a path given to `-f`: the top of its git work tree, or else the
    /// folder itself (for a file, its folder).
    public static func root(for path: String) -> String {
        var isDirectory: ObjCBool = false
        let absolutePath = absolute(path)
        let start =
            FileManager.default.fileExists(atPath: absolutePath, isDirectory: &isDirectory) && isDirectory.boolValue
            ? absolutePath : (absolutePath as NSString).deletingLastPathComponent
        var candidate = start
        while true {
            if FileManager.default.fileExists(atPath: candidate + "/.git") { return candidate }
            let parent = (candidate as NSString).deletingLastPathComponent
            if parent == candidate || parent.isEmpty { return start }
            candidate = parent
        }
    }

    public func locate(_ path: String, from manifestFile: String) -> SourceFileStatus {
        guard !path.hasPrefix("/") else { return .outsideRepository }
        let folder =
            manifestFile == "<stdin>"
            ? FileManager.default.currentDirectoryPath
            : (LocalSourceTree.absolute(manifestFile) as NSString).deletingLastPathComponent
        let joined = LocalSourceTree.normalize(folder + "/" + path)
        guard joined == root || joined.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            return .outsideRepository
        }
        let repositoryPath = String(joined.dropFirst(root.count)).trimmingPrefix("/")
        var info = stat()
        guard lstat(joined, &info) == 0 else { return .notFound(repositoryPath: String(repositoryPath)) }
        guard let real = LocalSourceTree.realPath(joined) else { return .notFound(repositoryPath: String(repositoryPath)) }
        guard real == realRoot || real.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") else {
            return .linkOutsideRepository(target: real)
        }
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return .notARegularFile(repositoryPath: String(repositoryPath))
        }
        return .file(repositoryPath: String(repositoryPath), size: Int64(info.st_size))
    }

    static func absolute(_ path: String) -> String {
        normalize(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
    }

    /// Removes `.` and `..` and doubled slashes without touching the file system.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
