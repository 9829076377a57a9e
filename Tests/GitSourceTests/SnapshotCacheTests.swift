import Foundation
import GitSource
import Manifests
import TestSupport
import Testing

/// What a snapshot carries over from the previous one is keyed by blob (parsed files, data file
/// sizes), never by path or commit, so a rewritten history cannot serve a stale manifest.
@Suite struct SnapshotCacheTests {
    @Test func aForcePushedRewriteOfAFileIsParsedFromItsNewBlob() async throws {
        let fixture = try await Fixture("force-push")
        defer { fixture.remove() }
        let source = fixture.source()
        let path = "examples/datasets/churn.yaml"
        let original = try String(contentsOfFile: fixture.work + "/" + path, encoding: .utf8)
        try fixture.write(path, original.replacingOccurrences(of: "owner: growth-analytics@example.com", with: "owner: first@example.com"))
        let first = try await fixture.commit("First owner")
        let resolvedFirst = try await source.resolve().commit
        #expect(resolvedFirst == first)
        let before = try await source.snapshot(commit: first, previous: nil, options: LoadOptions())
        #expect(Self.owner(of: "churn", in: before) == "first@example.com")

        // History rewritten: the same path, another content, a commit that does not descend from `first`.
        try await GitCLI.run(["reset", "-q", "--hard", "HEAD~1"], in: fixture.work)
        try fixture.write(path, original.replacingOccurrences(of: "owner: growth-analytics@example.com", with: "owner: second@example.com"))
        let rewritten = try await fixture.commit("Second owner", force: true)
        let resolvedRewritten = try await source.resolve().commit
        #expect(resolvedRewritten == rewritten)
        let after = try await source.snapshot(commit: rewritten, previous: before, options: LoadOptions())
        #expect(Self.owner(of: "churn", in: after) == "second@example.com")
        #expect(after.reparsed == [path])
        #expect(after.blobs[path] != before.blobs[path])
        let blob = try await GitCLI.run(["rev-parse", "HEAD:" + path], in: fixture.work)
        #expect(after.blobs[path] == blob)
        // Files not rewritten keep their blob and are not parsed again.
        let other = "examples/versions/churn.yaml"
        #expect(after.blobs[other] == before.blobs[other] && after.blobs[other] != nil)
        // Data file sizes carried over by blob are still right.
        let size = try FileManager.default.attributesOfItem(atPath: fixture.work + "/examples/data/churn-2026-09.csv")[.size] as! Int
        #expect(
            after.tree.locate("../data/churn-2026-09.csv", from: other)
                == .file(repositoryPath: "examples/data/churn-2026-09.csv", size: Int64(size)))
    }

    static func owner(of dataset: String, in snapshot: Snapshot) -> String? {
        snapshot.manifests.manifests.first { $0.kind == .dataset && $0.name == dataset }?.spec["owner"]?.stringValue
    }
}
