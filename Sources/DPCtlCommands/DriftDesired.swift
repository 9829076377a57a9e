import APIClient
import APIModel
import CLIKit
import Foundation
import GitSource
import Manifests
import SyncEngine

/// The desired state a drift scan compares with: a folder of manifests, a commit of a git
/// repository (a local path or a URL), or the commit a reconciler source applied last.
struct DriftDesired {
    var manifests: [Manifest]
    var content: any ContentProvider
    var scope: String
    var commit: String?
    var repository: String?
    /// The apply set the objects belong to when the scope names one (a source's name).
    var applySet: String?

    /// `repo` is a local path or a URL; `revision` a branch, tag or commit (a full ref or commit id for URLs).
    static func git(repo: String, revision: String?, path: String, scratch: String, applySet: String?) async throws -> DriftDesired {
        let source: GitSource
        let commit: String
        let isURL = repo.contains("://")
        do {
            if isURL, !repo.hasPrefix("file://") {
                let ref = revision ?? "refs/heads/main"
                source = GitSource(
                    spec: SourceSpec(name: applySet ?? "drift", url: repo, ref: ref, path: path, auth: .none, timeoutSeconds: 60),
                    cacheDirectory: scratch + "/cache")
                commit = try await source.resolve().commit
            } else {
                let folder = isURL ? String(repo.dropFirst("file://".count)) : repo
                source = try GitSource.local(repository: folder, folder: path, blobsDirectory: scratch + "/blobs")
                commit = try await source.commit(revision: revision ?? "HEAD")
            }
        } catch {
            throw CLIError("--repo \(repo): \(error.message)", exitCode: 2)
        }
        let snapshot: Snapshot
        do {
            snapshot = try await source.snapshot(
                commit: commit, previous: nil, options: LoadOptions(recursive: true, allowExternalReferences: true))
        } catch {
            throw CLIError("--repo \(repo) at \(commit.prefix(12)): \(error.message)", exitCode: 2)
        }
        guard snapshot.manifests.isValid else {
            let errors = snapshot.manifests.errors
            let listed = errors.prefix(10).map {
                "\($0.file):\($0.line):\($0.column): error: \($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)"
            }
            throw CLIError(
                "commit \(commit.prefix(12)) is invalid, no desired state to compare with:\n" + listed.joined(separator: "\n"), exitCode: 2)
        }
        return DriftDesired(
            manifests: snapshot.manifests.manifests, content: GitContent(snapshot: snapshot),
            scope: applySet.map { "source \($0)" } ?? "repository \(repo)", commit: commit, repository: repo, applySet: applySet)
    }

    /// The last commit a reconciler source applied, read from the reconciler's status.
    static func source(_ name: String, reconciler: String, scratch: String) async throws -> DriftDesired {
        let status = try await ReconcilerStatus.fetch(from: reconciler, exitCode: 2)
        guard let entry = status.source(name) else {
            let names = status.sources.map(\.name)
            throw CLIError(
                "the reconciler at \(reconciler) has no source \"\(name)\"\(names.isEmpty ? "" : "; it has " + names.joined(separator: ", "))",
                exitCode: 2)
        }
        guard let url = entry.url, let commit = entry.lastAppliedCommit else {
            throw CLIError("source \"\(name)\" has not applied a commit yet: there is no desired state to compare with", exitCode: 2)
        }
        return try await git(repo: url, revision: commit, path: entry.path ?? "", scratch: scratch, applySet: name)
    }

    /// A folder (or files) of manifests, as `dpctl diff -f` reads them.
    static func directory(_ arguments: ManifestArguments) throws -> DriftDesired {
        let manifests = try arguments.load(exitCode: 2)
        let root = arguments.resolvedRoot
        return DriftDesired(
            manifests: manifests, content: LocalContent(root: root), scope: "directory \(arguments.filenames.joined(separator: ", "))",
            commit: nil, repository: nil, applySet: nil)
    }
}
