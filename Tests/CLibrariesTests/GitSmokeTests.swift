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

    /// libgit2 writes to git://, http:// and https:// remotes with plain send(): once it is in
    /// use, a remote that hangs up mid-request must be a write error (EPIPE), not SIGPIPE, which
    /// kills the reconciler, dpctl or the test run (one full run here died of it).
    @Test func aPeerThatHangsUpIsAWriteErrorNotADeadProcess() throws {
        #expect(LibGit2.ignoresBrokenPipes)
        var ends: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        close(ends[1])
        let written = write(ends[0], "x", 1)
        let reason = errno
        close(ends[0])
        #expect(written == -1 && reason == EPIPE)
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
