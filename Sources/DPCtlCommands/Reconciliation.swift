import APIClient
import APIModel
import Blocking
import CLIKit
import Foundation
import Git
import Manifests
import SyncEngine

/// The steps apply, diff and delete share: the server to talk to, who is asking, the live
/// state and the versions' content, and the plan.
struct Reconciliation {
    let client: APIClient
    let root: String
    let source: SourceInfo
    static let io = BlockingQueue(concurrentLabel: "datapilot.dpctl.files")

    init(context: String?, root: String, tool: String) async throws {
        let target = try Target.resolve(context: context)
        client = APIClient(server: target.server, token: target.token)
        self.root = root
        source = await Self.sourceInfo(root: root, tool: tool)
    }

    /// The local user, and the repository and commit when the manifests are in a git work tree.
    static func sourceInfo(root: String, tool: String) async -> SourceInfo {
        let user = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        let host = ProcessInfo.processInfo.hostName
        var info = SourceInfo(author: "\(user)@\(host)", tool: tool)
        guard FileManager.default.fileExists(atPath: root + "/.git") else { return info }
        let commit: String? = await Self.io.run {
            do { return try Repository.open(at: root).headCommit().id } catch { return nil }
        }
        if let commit {
            info.repository = URL(fileURLWithPath: root).standardizedFileURL.absoluteString
            info.commit = commit
        }
        return info
    }

    /// The live objects of these kinds.
    func live(_ kinds: Set<ManifestKind>) async throws -> [ObjectRef: JSONValue] {
        do {
            return try await LiveState.fetch(kinds, client: client)
        } catch let error as APIError {
            throw CLIError(error.message)
        }
    }
}
