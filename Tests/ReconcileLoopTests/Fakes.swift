import APIModel
import GitSource
import Manifests
import SyncEngine
import Synchronization

@testable import Reconciler

/// A git source in memory: the commit its reference names, and each commit's manifest text.
final class MemorySource: ManifestSource {
    struct State {
        var head = Commits.first
        var files: [String: String] = [:]
        var resolveError: GitSourceError?
        var snapshots: [String] = []
        var resolves = 0
    }

    let state = Mutex(State())

    init(_ files: [String: String]) { state.withLock { $0.files = files } }

    func move(to commit: String) { state.withLock { $0.head = commit } }
    func fail(_ error: GitSourceError?) { state.withLock { $0.resolveError = error } }
    var snapshots: [String] { state.withLock { $0.snapshots } }
    var resolves: Int { state.withLock { $0.resolves } }

    func resolve() async throws(GitSourceError) -> SourceResolution {
        let (head, error) = state.withLock { state in
            state.resolves += 1
            return (state.head, state.resolveError)
        }
        if let error { throw error }
        return SourceResolution(commit: head, lsRemoteSeconds: 0.001)
    }

    func snapshot(commit: String) async throws(GitSourceError) -> CommitSnapshot {
        let text = state.withLock { state in
            state.snapshots.append(commit)
            return state.files[commit] ?? ""
        }
        let manifests = ManifestLoader(options: LoadOptions(allowExternalReferences: true)).load([
            .bytes(name: "manifests.yaml", Array(text.utf8))
        ])
        return CommitSnapshot(
            commit: commit, author: "Ada <ada@example.com>", message: "commit \(commit)", manifests: manifests,
            content: NoContent())
    }
}

struct NoContent: ContentProvider {
    func content(for manifest: Manifest) async -> Result<VersionContent, ContentError> {
        .failure(ContentError(description: "no data in memory"))
    }
}

/// The server in memory: answers each sync with `outcome` for every manifest (or throws), keeps
/// every request and audit event.
final class MemoryServer: SyncClient {
    struct State {
        var outcome: ApplyOutcome = .created
        var syncs: [[String]] = []
        var scans = 0
        var events: [(path: String, body: JSONValue)] = []
    }

    let state = Mutex(State())
    /// While `holding`, each sync announces itself on `entered` and waits for `release()`: a sync in progress.
    let holding: Bool
    let (entered, enter) = AsyncStream.makeStream(of: Void.self)
    private let (gate, opening) = AsyncStream.makeStream(of: Void.self)

    init(holding: Bool = false) { self.holding = holding }

    func release() { opening.yield() }

    func answer(_ outcome: ApplyOutcome) { state.withLock { $0.outcome = outcome } }
    var syncs: [[String]] { state.withLock { $0.syncs } }
    var scans: Int { state.withLock { $0.scans } }
    var events: [(path: String, body: JSONValue)] { state.withLock { $0.events } }

    func sync(_ request: SyncRequest) async throws -> [ApplyResult] {
        let outcome = state.withLock { state in
            state.syncs.append(request.manifests.map(\.name))
            return state.outcome
        }
        if holding {
            enter.yield()
            for await _ in gate { break }
        }
        return request.manifests.map {
            ApplyResult(ref: ObjectRef($0.kind, $0.name), outcome: outcome, message: outcome.isFailure ? "no" : nil)
        }
    }

    func scanDrift(_ request: DriftRequest) async throws -> DriftReport {
        state.withLock { $0.scans += 1 }
        return DriftReport(
            scope: request.scope, commit: request.source.commit, applySet: request.applySet, time: "", scanned: request.manifests.count,
            ignored: 0, items: [], warnings: [])
    }

    func heal(_ items: [DriftItem], source: SourceInfo) async -> [DriftItem] { items }

    func postEvent<Event: WireBody>(_ path: String, _ event: Event) async throws {
        try event.validate()
        state.withLock { $0.events.append((path, event.json)) }
    }
}

/// The status table in memory.
final class MemoryStatus: SyncStatusStore {
    let records = Mutex<[SyncRecord]>([])

    func lastApplied(_ source: String) async throws -> String? {
        records.withLock { $0.last { $0.source == source && $0.outcome == .synced }?.commit }
    }

    func record(_ record: SyncRecord) async throws { records.withLock { $0.append(record) } }
}

enum Commits {
    static let first = String(repeating: "a", count: 40)
    static let second = String(repeating: "b", count: 40)
    static let third = String(repeating: "c", count: 40)
}

enum Texts {
    static let experiment = """
        apiVersion: datapilot.io/v1alpha1
        kind: Experiment
        metadata:
          name: churn-baselines
        spec:
          description: Baselines
        """
    /// An objective without its goal: invalid.
    static let invalid = """
        apiVersion: datapilot.io/v1alpha1
        kind: Experiment
        metadata:
          name: churn-baselines
        spec:
          objective:
            metric: auc
        """
    static let executing =
        experiment + """

            ---
            apiVersion: datapilot.io/v1alpha1
            kind: Run
            metadata:
              name: pushed
            spec:
              experiment: churn-baselines
              command: [/bin/sh, -c, "echo pushed-code-ran"]
              execute: true
            """
}
