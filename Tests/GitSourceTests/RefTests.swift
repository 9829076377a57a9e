import Foundation
import GitSource
import Manifests
import TestSupport
import Testing

@Suite struct RefTests {
    @Test func aForcePushResolvesToTheRewrittenCommit() async throws {
        let fixture = try await Fixture("force")
        defer { fixture.remove() }
        try fixture.write("examples/notes.txt", "one\n")
        let original = try await fixture.commit("Notes")
        let source = fixture.source()
        #expect(try await source.resolve().commit == original)

        try await GitCLI.run(["reset", "-q", "--hard", "HEAD~1"], in: fixture.work)
        try fixture.write("examples/notes.txt", "rewritten\n")
        let rewritten = try await fixture.commit("Notes, rewritten", force: true)
        #expect(rewritten != original)
        let resolved = try await source.resolve()
        #expect(resolved.commit == rewritten)
        #expect(resolved.fetched)
        let snapshot = try await source.snapshot(commit: rewritten, previous: nil, options: LoadOptions())
        #expect(snapshot.manifests.isValid)
    }

    @Test func aDeletedBranchIsNotFound() async throws {
        let fixture = try await Fixture("deleted")
        defer { fixture.remove() }
        try await GitCLI.run(["push", "-q", "origin", "main:refs/heads/feature"], in: fixture.work)
        let source = fixture.source(ref: "refs/heads/feature")
        #expect(try await source.resolve().commit == (try fixture.head()))
        try await GitCLI.run(["push", "-q", "origin", "--delete", "feature"], in: fixture.work)
        let error = await gitSourceError { _ = try await source.resolve() }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("refs/heads/feature is gone from the remote") == true)
        #expect(error?.message.contains("refs/heads/main") == true)
    }

    @Test func aPinnedCommitIsFetchedOnlyWhenMissing() async throws {
        let fixture = try await Fixture("pinned")
        defer { fixture.remove() }
        let pinned = try await fixture.head()
        try fixture.write("examples/notes.txt", "later\n")
        try await fixture.commit("Later")
        let source = fixture.source(ref: pinned)
        let first = try await source.resolve()
        #expect(first.commit == pinned)
        #expect(first.fetched)
        let second = try await source.resolve()
        #expect(second.commit == pinned)
        #expect(!second.fetched)
        #expect(try await source.snapshot(commit: pinned, previous: nil, options: LoadOptions()).files == exampleFiles)

        let unknown = fixture.source(ref: String(repeating: "ab", count: 20), name: "unknown")
        let error = await gitSourceError { _ = try await unknown.resolve() }
        #expect(error?.code == .notFound)
    }

    @Test func anAnnotatedTagResolvesToItsCommit() async throws {
        let fixture = try await Fixture("tag")
        defer { fixture.remove() }
        try await GitCLI.run(["tag", "-a", "v1", "-m", "Version 1"], in: fixture.work)
        try await fixture.push(["v1"])
        let source = fixture.source(ref: "refs/tags/v1")
        let resolved = try await source.resolve()
        await #expect(resolved.commit == (try fixture.head()))
        #expect(try await source.snapshot(commit: resolved.commit, previous: nil, options: LoadOptions()).commit.id == resolved.commit)
        #expect(try await source.resolve().fetched == false)
    }

    @Test(arguments: ["main", "heads/main", "refs/heads/..bad", "refs/heads/a b", "HEAD", "ABCDEF0123456789ABCDEF0123456789ABCDEF01"])
    func aRefThatIsNoFullNameOrCommitIsAnInvalidSpec(ref: String) async throws {
        let fixture = try await Fixture("badref")
        defer { fixture.remove() }
        let error = await gitSourceError { _ = try await fixture.source(ref: ref).resolve() }
        #expect(error?.code == .invalidSpec)
        #expect(error?.message.contains("full reference name") == true)
    }
}
