import Foundation
import Git
import Manifests

extension GitSource {
    /// A repository on this machine read in place, without a cache or a fetch: what
    /// `dpctl plan` and `dpctl drift --repo PATH` read commits from. `folder` is the manifests'
    /// folder inside the repository; data files are exported under `blobsDirectory`.
    public static func local(repository path: String, folder: String, blobsDirectory: String) throws(GitSourceError) -> GitSource {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw GitSourceError(.notFound, "repository \(path) does not exist; give the folder of a git work tree or bare repository")
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let spec = SourceSpec(
            name: "local", url: "file://" + absolute, ref: "refs/heads/main", path: folder, auth: .none, timeoutSeconds: 60)
        _ = try ValidatedSpec(spec)
        return GitSource(spec: spec, cache: SourceCache(existingRepository: absolute, blobsDirectory: blobsDirectory))
    }

    /// The commit `revision` names in a local repository (`main`, `origin/main`, `HEAD~1`, a tag,
    /// a full or abbreviated id).
    public func commit(revision: String) async throws(GitSourceError) -> String {
        try await cache.reads.run { [cache] () throws(GitSourceError) -> String in
            let repository = try cache.repository()
            do throws(GitError) { return try repository.commitID(revision: revision) } catch {
                throw GitSourceError(
                    .notFound,
                    "revision \"\(revision)\" names no commit in \(cache.repositoryPath) (\(error.message)); give a branch, tag or commit id"
                )
            }
        }
    }
}
