import Foundation
import GitSource
import Manifests
import TestSupport
import Testing

@Suite struct ContentTests {
    static let version = """
        apiVersion: datapilot.io/v1alpha1
        kind: DatasetVersion
        metadata:
          name: churn-linked
        spec:
          dataset: churn
          source:
            path: ../data/FILE

        """

    func snapshot(_ fixture: Fixture, options: LoadOptions = LoadOptions()) async throws -> Snapshot {
        let source = fixture.source()
        let commit = try await source.resolve().commit
        return try await source.snapshot(commit: commit, previous: nil, options: options)
    }

    @Test func anInvalidManifestIsReportedAtItsRepositoryPathAndLine() async throws {
        let fixture = try await Fixture("invalid")
        defer { fixture.remove() }
        try fixture.write(
            "examples/datasets/broken.yaml",
            """
            apiVersion: datapilot.io/v1alpha1
            kind: Dataset
            metadata:
              name: broken
            spec:
              owner: growth-analytics@example.com
              colour: blue

            """)
        try await fixture.commit("Broken")
        let snapshot = try await snapshot(fixture)
        let errors = snapshot.manifests.errors
        #expect(
            errors.contains { $0.file == "examples/datasets/broken.yaml" && $0.line == 7 && $0.code == .unknownField },
            "\(errors.map(\.formatted))")
        #expect(!snapshot.manifests.isValid)
    }

    @Test func symbolicLinksLeadingOutsideAreRefusedAndInsideOnesFollowed() async throws {
        let fixture = try await Fixture("links")
        defer { fixture.remove() }
        try await Subprocess.check("ln", ["-s", "/etc/hostname", fixture.work + "/examples/datasets/evil.yaml"])
        try await Subprocess.check("ln", ["-s", "../../../outside.yaml", fixture.work + "/examples/datasets/climbing.yaml"])
        try await Subprocess.check("ln", ["-s", "/etc/passwd", fixture.work + "/examples/data/passwd.csv"])
        try await Subprocess.check("ln", ["-s", "churn-2026-09.csv", fixture.work + "/examples/data/alias.csv"])
        try fixture.write("examples/versions/linked.yaml", Self.version.replacingOccurrences(of: "FILE", with: "passwd.csv"))
        try await fixture.commit("Links")
        let snapshot = try await snapshot(fixture)
        let outside = snapshot.manifests.errors.filter { $0.code == .pathOutsideRepository }
        #expect(outside.contains { $0.file == "examples/datasets/evil.yaml" && $0.line == 1 && $0.message.contains("/etc/hostname") })
        #expect(outside.contains { $0.file == "examples/datasets/climbing.yaml" && $0.line == 1 })
        #expect(
            outside.contains { $0.file == "examples/versions/linked.yaml" && $0.line == 8 && $0.message.contains("/etc/passwd") },
            "\(snapshot.manifests.diagnostics.map(\.formatted))")
        #expect(outside.count == 3)
        let refused = await gitSourceError { _ = try await snapshot.dataFile("examples/data/passwd.csv") }
        #expect(refused?.code == .invalidSpec)

        #expect(
            snapshot.tree.locate("../data/alias.csv", from: "examples/versions/churn.yaml")
                == .file(repositoryPath: "examples/data/alias.csv", size: 41524))
        let followed = try await snapshot.dataFile("examples/data/alias.csv")
        let original = try await snapshot.dataFile("examples/data/churn-2026-09.csv")
        #expect(followed == original)
    }

    @Test func submodulesAreReportedNotFollowed() async throws {
        let fixture = try await Fixture("submodule")
        defer { fixture.remove() }
        let commit = try await fixture.head()
        try await GitCLI.run(["update-index", "--add", "--cacheinfo", "160000,\(commit),examples/vendor/tools"], in: fixture.work)
        try await GitCLI.run(["commit", "-q", "-m", "Vendor tools"], in: fixture.work)
        try await fixture.push()
        let snapshot = try await snapshot(fixture)
        #expect(snapshot.submodules == ["examples/vendor/tools"])
        #expect(snapshot.manifests.isValid)
    }

    @Test func oversizedManifestsAreDiagnosedNotRead() async throws {
        let fixture = try await Fixture("oversized")
        defer { fixture.remove() }
        let snapshot = try await snapshot(fixture, options: LoadOptions(maxFileBytes: 200))
        #expect(snapshot.manifests.errors.contains { $0.code == .limitExceeded && $0.file == "examples/datasets/churn.yaml" })
    }

    @Test func hiddenEntriesAreSkippedAndTheRootFolderWorks() async throws {
        let fixture = try await Fixture("hidden")
        defer { fixture.remove() }
        try fixture.write("examples/.github/workflow.yaml", "on: push\n")
        try fixture.write("examples/.hidden.yaml", "not: a manifest\n")
        try await fixture.commit("Hidden")
        let source = fixture.source(path: ".")
        let commit = try await source.resolve().commit
        let snapshot = try await source.snapshot(commit: commit, previous: nil, options: LoadOptions())
        #expect(snapshot.files == exampleFiles)
        #expect(snapshot.manifests.isValid)
        let missing = fixture.source(path: "nowhere", name: "nowhere")
        _ = try await missing.resolve()
        let error = await gitSourceError { _ = try await missing.snapshot(commit: commit, previous: nil, options: LoadOptions()) }
        #expect(error?.code == .notFound)
    }
}
