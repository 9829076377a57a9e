import Foundation
import GitSource
import Manifests
import TestSupport
import Testing

@Suite struct FileTransportTests {
    @Test func resolvesSnapshotsSkipsUnchangedAndReparsesOnlyWhatChanged() async throws {
        let fixture = try await Fixture("file")
        defer { fixture.remove() }
        let source = fixture.source()

        let first = try await source.resolve()
        await #expect(first.commit == (try fixture.head()))
        #expect(first.fetched)
        #expect(first.fetchSeconds != nil)
        let snapshot = try await source.snapshot(commit: first.commit, previous: nil, options: LoadOptions())
        #expect(snapshot.manifests.diagnostics.map(\.formatted) == [])
        #expect(snapshot.files == exampleFiles)
        #expect(snapshot.reparsed.count == exampleFiles)
        #expect(snapshot.reparsed.contains("examples/datasets/churn.yaml"))
        #expect(snapshot.manifests.manifests.count == 14)
        #expect(snapshot.manifests.manifests.allSatisfy { $0.origin.file.hasPrefix("examples/") })
        #expect(snapshot.commit.summary == "Add the examples")
        #expect(snapshot.commit.authorEmail == "ada@example.com")
        #expect(snapshot.changedPaths == [])
        #expect(snapshot.submodules == [])

        let again = try await source.resolve()
        #expect(again.commit == first.commit)
        #expect(!again.fetched)
        #expect(again.fetchSeconds == nil)

        try fixture.write(
            "examples/datasets/churn.yaml",
            try String(contentsOfFile: fixture.work + "/examples/datasets/churn.yaml", encoding: .utf8) + "# reviewed\n")
        let second = try await fixture.commit("Review churn")
        let resolved = try await source.resolve()
        #expect(resolved.commit == second)
        #expect(resolved.fetched)
        let next = try await source.snapshot(commit: second, previous: snapshot, options: LoadOptions())
        #expect(next.reparsed == ["examples/datasets/churn.yaml"])
        #expect(next.changedPaths == ["examples/datasets/churn.yaml"])
        #expect(next.files == exampleFiles)
        #expect(next.manifests.isValid)
        #expect(next.manifests.manifests.count == 14)
        #expect(next.commit.message == "Review churn\n")
    }

    @Test func exportsDataFilesOnceWithTheirSHA256() async throws {
        let fixture = try await Fixture("export")
        defer { fixture.remove() }
        let source = fixture.source()
        let commit = try await source.resolve().commit
        let snapshot = try await source.snapshot(commit: commit, previous: nil, options: LoadOptions())
        let status = snapshot.tree.locate("../data/churn-2026-09.csv", from: "examples/versions/churn.yaml")
        let expectedSize =
            try FileManager.default.attributesOfItem(atPath: fixture.work + "/examples/data/churn-2026-09.csv")[.size] as! Int
        #expect(status == .file(repositoryPath: "examples/data/churn-2026-09.csv", size: Int64(expectedSize)))

        let exported = try await snapshot.dataFile("examples/data/churn-2026-09.csv")
        let sum = try await Subprocess.check("sha256sum", [fixture.work + "/examples/data/churn-2026-09.csv"]).prefix(64)
        #expect(exported.sha256 == String(sum))
        #expect(exported.size == Int64(expectedSize))
        await #expect(
            exported.file == fixture.cache + "/blobs/"
                + (try GitCLI.run(["rev-parse", "HEAD:examples/data/churn-2026-09.csv"], in: fixture.work)))
        #expect(FileManager.default.contentsEqual(atPath: exported.file, andPath: fixture.work + "/examples/data/churn-2026-09.csv"))
        let again = try await snapshot.dataFile("examples/data/churn-2026-09.csv")
        #expect(again == exported)

        let missing = await gitSourceError { _ = try await snapshot.dataFile("examples/data/nope.csv") }
        #expect(missing?.code == .notFound)
        let outside = await gitSourceError { _ = try await snapshot.dataFile("../etc/passwd") }
        #expect(outside?.code == .invalidSpec)
    }
}
