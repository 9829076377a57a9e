import Foundation
import TestSupport

/// A work tree with the project's examples committed on `main`, and a bare repository (what the
/// servers serve) it pushes to.
struct Fixture {
    let folder: String
    let work: String
    /// `<folder>/served`, the base path servers export.
    let served: String
    let bare: String
    let cache: String

    static let examples = repositoryRoot.appendingPathComponent("examples").path

    init(_ label: String) async throws {
        folder = try scratchFolder("gitsource-\(label)").path
        work = folder + "/work"
        served = folder + "/served"
        bare = served + "/repo.git"
        cache = folder + "/cache"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.examples, toPath: work + "/examples")
        try await GitCLI.run(["init", "-q", "-b", "main"], in: work)
        try await GitCLI.run(["add", "-A"], in: work)
        try await GitCLI.run(["commit", "-q", "-m", "Add the examples"], in: work)
        try await GitCLI.run(["init", "-q", "--bare", bare], in: folder)
        try await GitCLI.run(["remote", "add", "origin", bare], in: work)
        try await push()
    }

    func write(_ path: String, _ text: String) throws {
        let full = work + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    /// Commits everything in the work tree and pushes `main`; returns the new commit.
    @discardableResult
    func commit(_ message: String, force: Bool = false) async throws -> String {
        try await GitCLI.run(["add", "-A"], in: work)
        try await GitCLI.run(["commit", "-q", "-m", message], in: work)
        try await push(force: force)
        return try await head()
    }

    func push(force: Bool = false, _ refs: [String] = ["main"]) async throws {
        try await GitCLI.run(["push", "-q"] + (force ? ["-f"] : []) + ["origin"] + refs, in: work)
    }

    func head() async throws -> String { try await GitCLI.run(["rev-parse", "HEAD"], in: work) }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
