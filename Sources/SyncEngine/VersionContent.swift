import APIModel
import Blocking
import Crypto
import Foundation
import Manifests

/// What a DatasetVersion manifest's data is: a file to upload (with its digest, computed here,
/// and checked again by the server) or a URL pinned by the sha256 the manifest gives.
public struct VersionContent: Sendable, Hashable {
    /// The file to upload, on disk.
    public var file: String?
    /// The file's path from the repository root, recorded as the version's source path.
    public var repositoryPath: String?
    public var url: String?
    public var sha256: String
    public var size: Int64?

    public init(file: String?, repositoryPath: String?, url: String?, sha256: String, size: Int64?) {
        self.file = file
        self.repositoryPath = repositoryPath
        self.url = url
        self.sha256 = sha256
        self.size = size
    }
}

public struct ContentError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// Where versions' data comes from: a folder on disk, or a commit's tree.
public protocol ContentProvider: Sendable {
    func content(for manifest: Manifest) async -> Result<VersionContent, ContentError>
}

extension ContentProvider {
    /// Every version's content, located and hashed concurrently.
    public func contents(of manifests: [Manifest]) async -> [ObjectRef: Result<VersionContent, ContentError>] {
        await withTaskGroup(of: (ObjectRef, Result<VersionContent, ContentError>).self) { group in
            for manifest in manifests where manifest.kind == .datasetVersion {
                group.addTask { (manifest.ref, await self.content(for: manifest)) }
            }
            var out: [ObjectRef: Result<VersionContent, ContentError>] = [:]
            for await (ref, content) in group { out[ref] = content }
            return out
        }
    }
}

/// Finds and hashes versions' data files in a folder tree (a work tree), reading and hashing
/// on threads of its own.
public struct LocalContent: ContentProvider {
    public let root: String
    static let io = BlockingQueue(concurrentLabel: "datapilot.reconcile.files")

    public init(root: String) { self.root = root }

    public func content(for manifest: Manifest) async -> Result<VersionContent, ContentError> {
        await Self.io.run { [self] in contentNow(for: manifest) }
    }

    func contentNow(for manifest: Manifest) -> Result<VersionContent, ContentError> {
        let source = manifest.spec["source"]
        if let url = source?["url"]?.stringValue {
            guard let sha = source?["sha256"]?.stringValue else {
                return .failure(ContentError(description: "\(manifest.origin.location): spec.source.url needs spec.source.sha256"))
            }
            return .success(VersionContent(file: nil, repositoryPath: nil, url: url, sha256: sha, size: nil))
        }
        guard let path = source?["path"]?.stringValue else {
            return .failure(ContentError(description: "\(manifest.origin.location): spec.source has neither path nor url"))
        }
        let tree = LocalSourceTree(root: root)
        switch tree.locate(path, from: manifest.origin.file) {
        case .file(let repositoryPath, let size):
            let absolute = tree.root + "/" + repositoryPath
            do {
                let digest = try Self.sha256(of: absolute)
                if let pinned = source?["sha256"]?.stringValue, pinned != digest {
                    return .failure(
                        ContentError(
                            description:
                                "\(manifest.origin.location): \(repositoryPath) has sha256 \(digest), not the \(pinned) the manifest pins; fix the file or the digest"
                        ))
                }
                return .success(VersionContent(file: absolute, repositoryPath: repositoryPath, url: nil, sha256: digest, size: size))
            } catch {
                return .failure(ContentError(description: "\(manifest.origin.location): cannot read \(repositoryPath): \(error)"))
            }
        case .notFound(let repositoryPath):
            return .failure(ContentError(description: "\(manifest.origin.location): data file \(repositoryPath) not found"))
        case .outsideRepository, .linkOutsideRepository:
            return .failure(ContentError(description: "\(manifest.origin.location): data file \(path) is outside the repository"))
        case .notARegularFile(let repositoryPath):
            return .failure(ContentError(description: "\(manifest.origin.location): \(repositoryPath) is not a regular file"))
        }
    }

    /// Streams the file through SHA-256 in 1 MiB reads.
    public static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ContentError(description: "cannot open \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return Hex.encode(hasher.finalize())
    }
}
