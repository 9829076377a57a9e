import APIClient
import APIModel
import GitSource
import Manifests
import SyncEngine

/// Builds a `PlanReport`: reads the base and head commits through the git source (no
/// checkout), validates the head, compares the manifests, plans the head against the live
/// server through `Sync` in client dry-run mode (exactly what apply would do), flags what a
/// reviewer must see, runs the quality gate on new and changed versions' data (fetching those
/// given by URL), and has the server dry-run new and changed rules on their live versions.
public struct PlanBuilder: Sendable {
    public let request: PlanRequest

    public init(_ request: PlanRequest) { self.request = request }

    public func build() async throws(PullRequestPlanError) -> PlanReport {
        let source: GitSource
        do {
            source = try GitSource.local(repository: request.repository, folder: request.path, blobsDirectory: request.scratch + "/blobs")
        } catch {
            throw PullRequestPlanError(.repository, "--repo \(request.repository): \(error.message)")
        }
        let baseID = try await commit(request.base, flag: "--base", source)
        let headID = try await commit(request.head, flag: "--head", source)
        let options = LoadOptions(recursive: true, allowExternalReferences: true)
        let head: Snapshot
        do {
            head = try await source.snapshot(commit: headID, previous: nil, options: options)
        } catch {
            throw PullRequestPlanError(.repository, "--head \(request.head) (\(headID.prefix(12))): \(error.message)")
        }
        // The folder may not exist before the pull request: then the base has no manifests.
        let base = try? await source.snapshot(commit: baseID, previous: nil, options: options)
        var report = PlanReport(
            base: Self.describe(baseID, base), head: Self.describe(head),
            path: request.path, server: request.server, applySet: request.applySet)
        guard head.manifests.isValid else {
            report.errors = head.manifests.errors
            return report
        }
        let desired = head.manifests.manifests
        let headContents = await GitContent(snapshot: head).contents(of: desired)
        let baseManifests = base?.manifests.manifests ?? []
        var baseContents: [ObjectRef: Result<VersionContent, ContentError>] = [:]
        if let base { baseContents = await GitContent(snapshot: base).contents(of: baseManifests) }
        var objects: [ObjectRef: PlanObject] = [:]
        let comparison = ManifestComparison(
            base: baseManifests, head: desired, baseDigests: Self.digests(baseContents),
            headDigests: Self.digests(headContents))
        for entry in comparison.entries() {
            var object = PlanObject(ref: entry.ref)
            object.change = entry.kind
            object.renamedFrom = entry.renamedFrom
            object.diff = entry.diff
            objects[entry.ref] = object
        }
        if let client = request.client {
            try await LiveReview(request: request, client: client, desired: desired, head: head).review(into: &objects, report: &report)
        }
        let byRef = Dictionary(desired.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        let baseByRef = Dictionary(baseManifests.map { ($0.ref, $0) }, uniquingKeysWith: { first, _ in first })
        for (ref, object) in objects where ref.kind == .run && [.added, .changed, .renamed].contains(object.change) {
            guard let manifest = byRef[ref] else { continue }
            let before = object.renamedFrom.flatMap { baseByRef[$0] } ?? baseByRef[ref]
            objects[ref]?.findings += ExecutionReview.findings(base: before, head: manifest)
        }
        let urls = URLVersionReview(policy: request.urlPolicy, maxBytes: request.maxURLBytes, scratch: request.scratch + "/urls")
        for (ref, object) in objects where ref.kind == .datasetVersion && [.added, .changed, .renamed].contains(object.change) {
            guard let manifest = byRef[ref] else { continue }
            let result = await QualityReview(gate: request.gate, desired: desired, urls: urls).run(manifest, content: headContents[ref])
            guard let result else { continue }
            objects[ref]?.quality = result
            objects[ref]?.findings += QualityReview.findings(result)
        }
        // A rule whose checks change, run on its dataset's live version: what the merge does to data in use.
        if let client = request.client {
            for (ref, object) in objects where ref.kind == .qualityRule && [.added, .changed, .renamed].contains(object.change) {
                guard let manifest = byRef[ref] else { continue }
                let before = object.renamedFrom.flatMap { baseByRef[$0] } ?? baseByRef[ref]
                if let before, before.spec.canonicalJSON == manifest.spec.canonicalJSON { continue }
                let (result, findings) = await RuleReview(client: client).run(manifest)
                objects[ref]?.quality = result
                objects[ref]?.findings += findings
            }
        }
        for ref in objects.keys { objects[ref]?.origin = (byRef[ref] ?? baseByRef[ref])?.origin }
        report.objects = objects.values.sorted { $0.ref < $1.ref }
        report.unchanged = desired.filter { objects[$0.ref] == nil }.count
        return report
    }

    func commit(_ revision: String, flag: String, _ source: GitSource) async throws(PullRequestPlanError) -> String {
        do {
            return try await source.commit(revision: revision)
        } catch {
            throw PullRequestPlanError(
                error.code == .notFound && error.message.contains("revision") ? .revision : .repository,
                "\(flag) \(revision): \(error.message)")
        }
    }

    static func digests(_ contents: [ObjectRef: Result<VersionContent, ContentError>]) -> [ObjectRef: String] {
        contents.compactMapValues { try? $0.get().sha256 }
    }

    static func describe(_ snapshot: Snapshot) -> PlanCommit {
        PlanCommit(
            id: snapshot.commit.id, summary: snapshot.commit.summary,
            author: "\(snapshot.commit.authorName) <\(snapshot.commit.authorEmail)>")
    }

    /// The base commit, described even when its tree has no manifests folder.
    static func describe(_ id: String, _ snapshot: Snapshot?) -> PlanCommit {
        if let snapshot { return describe(snapshot) }
        return PlanCommit(id: id, summary: "", author: "")
    }
}
