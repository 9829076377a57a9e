import Foundation
import GitSource
import TestSupport
import Testing

/// A fetch goes to the source's URL as given, as ls-remote does: a `url.<base>.insteadOf` in the
/// git configuration does not send it elsewhere (the URL checked and listed is the one fetched).
@Suite struct FetchURLTests {
    @Test func aFetchIgnoresInsteadOfRewrites() async throws {
        let fixture = try await Fixture("insteadof")
        defer { fixture.remove() }
        let source = fixture.source()
        #expect(try await source.resolve().fetched)
        let caches = try FileManager.default.contentsOfDirectory(atPath: fixture.cache).filter { $0.hasSuffix(".git") }
        try #require(caches.count == 1, "\(caches)")
        let config = URL(fileURLWithPath: fixture.cache).appendingPathComponent(caches[0]).appendingPathComponent("config")
        let rewrite = "[url \"file:///nonexistent-datapilot-rewrite/\"]\n\tinsteadOf = file://\n"
        try (String(contentsOf: config, encoding: .utf8) + rewrite).write(to: config, atomically: true, encoding: .utf8)

        try fixture.write("examples/notes/note.txt", "a note\n")
        let commit = try await fixture.commit("A note")
        let resolved = try await source.resolve()
        #expect(resolved.commit == commit && resolved.fetched)
    }
}
