import Manifests
import SyncEngine

/// Versions' data from a commit's tree: the blob exported once into the source's cache and
/// hashed there, so a data file is uploaded straight from the commit, never from a checkout.
public struct GitContent: ContentProvider {
    let snapshot: Snapshot

    public init(snapshot: Snapshot) { self.snapshot = snapshot }

    public func content(for manifest: Manifest) async -> Result<VersionContent, ContentError> {
        let source = manifest.spec["source"]
        if let url = source?["url"]?.stringValue, let sha = source?["sha256"]?.stringValue {
            return .success(VersionContent(file: nil, repositoryPath: nil, url: url, sha256: sha, size: nil))
        }
        guard let path = source?["path"]?.stringValue else {
            return .failure(ContentError(description: "\(manifest.origin.location): spec.source has neither path nor url"))
        }
        let repositoryPath = Self.join(folderOf: manifest.origin.file, path)
        do {
            let file = try await snapshot.dataFile(repositoryPath)
            if let pinned = source?["sha256"]?.stringValue, pinned != file.sha256 {
                return .failure(
                    ContentError(
                        description:
                            "\(manifest.origin.location): \(repositoryPath) has sha256 \(file.sha256), not the \(pinned) the manifest pins")
                )
            }
            return .success(VersionContent(file: file.file, repositoryPath: repositoryPath, url: nil, sha256: file.sha256, size: file.size))
        } catch {
            return .failure(ContentError(description: "\(manifest.origin.location): \(repositoryPath): \(error.message)"))
        }
    }

    /// `examples/versions` + `../data/a.csv` → `examples/data/a.csv`.
    static func join(folderOf file: String, _ path: String) -> String {
        var parts = file.split(separator: "/").dropLast().map(String.init)
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }
}
