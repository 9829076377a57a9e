import Foundation
import GitSource
import Manifests
import TestSupport
import Testing

/// The soak run (issue 21) found the long-running reconciler's open descriptors growing by one
/// per commit: each incremental fetch adds a pack to the cache, and libgit2 kept every pack it
/// had read open. Its pack-window file limit bounds them (`LibGit2.maxOpenPackFiles`).
@Suite struct PackFileTests {
    /// Descriptors of this process open on pack files under `folder`.
    static func openPacks(under folder: String) -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd) else { return false }
            return target.hasPrefix(folder) && target.hasSuffix(".pack")
        }.count
    }

    @Test func packsOfManyFetchesDoNotStayOpen() async throws {
        let fixture = try await Fixture("packs")
        defer { fixture.remove() }
        let source = fixture.source()
        var previous: Snapshot?
        let commits = 80
        for index in 0..<commits {
            try fixture.write("examples/notes/note-\(index).txt", "note \(index)\n")
            let commit = try await fixture.commit("Note \(index)")
            let resolved = try await source.resolve()
            #expect(resolved.commit == commit && resolved.fetched)
            // Read the commit's tree, so that its pack is opened.
            previous = try await source.snapshot(commit: commit, previous: previous, options: LoadOptions())
        }
        let packs = (try FileManager.default.subpathsOfDirectory(atPath: fixture.cache)).filter { $0.hasSuffix(".pack") }
        #expect(packs.count >= commits / 2, "the fetches made \(packs.count) packs; the test needs many")
        let open = Self.openPacks(under: fixture.cache)
        #expect(open <= 64, "\(open) pack files of \(packs.count) are open")
    }
}
