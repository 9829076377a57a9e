import Foundation
import Git
import TestSupport
import Testing

@Suite struct GitSmokeTests {
    func git(_ arguments: [String], in folder: URL) throws -> String { try GitCLI.run(arguments, in: folder.path) }

    @Test func readsHeadOfARepositoryMadeByTheGitCLI() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("git-smoke-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try git(["init", "-q", "-b", "main"], in: folder)
        try Data("kind: Dataset\n".utf8).write(to: folder.appendingPathComponent("d.yaml"))
        _ = try git(["add", "d.yaml"], in: folder)
        _ = try git(["commit", "-q", "-m", "Add the churn dataset", "-m", "Body text."], in: folder)
        let expected = try git(["rev-parse", "HEAD"], in: folder)

        let repository = try Repository.open(at: folder.path)
        let head = try repository.headCommit()
        #expect(head.id == expected)
        #expect(head.summary == "Add the churn dataset")
        #expect(head.authorName == "Ada Lovelace")
        #expect(head.authorEmail == "ada@example.com")
        #expect(try repository.headReferenceName() == "refs/heads/main")
    }

    @Test func aFolderThatIsNoRepositoryGivesLibgit2sReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("not-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: GitError.self) { try Repository.open(at: folder.path) }
        #expect(error.code == .notFound)
        #expect(error.message.contains("could not find repository"))
        #expect(error.description.contains(folder.path))
    }
}
