import Foundation
import GitSource
import TestSupport
import Testing

/// `GitSource.authors`: per file the commit that last changed it since the commit applied last,
/// over repositories made by several people with the git CLI.
@Suite struct AuthorshipTests {
    /// A work tree with `files` committed by Ada on `main`.
    struct People {
        let folder: URL
        var work: String { folder.path }

        init(_ files: [String]) throws {
            folder = try scratchFolder("authors")
            try GitCLI.run(["init", "-q", "-b", "main"], in: work)
            for file in files { try "\(file): 0\n".write(toFile: work + "/" + file, atomically: true, encoding: .utf8) }
            try GitCLI.run(["add", "-A"], in: work)
            try GitCLI.run(["commit", "-q", "-m", "Base"], in: work)
        }

        /// Changes `file` and commits it as `author` (and `committer`); returns the commit.
        @discardableResult
        func change(_ file: String, by author: (String, String), committer: (String, String)? = nil) throws -> String {
            let text = (try? String(contentsOfFile: work + "/" + file, encoding: .utf8)) ?? ""
            try (text + "changed by \(author.0)\n").write(toFile: work + "/" + file, atomically: true, encoding: .utf8)
            try GitCLI.run(["commit", "-q", "-am", "Change \(file)"], in: work, author: author, committer: committer)
            return try head()
        }

        func git(_ arguments: String...) throws { try GitCLI.run(arguments, in: work) }

        func head() throws -> String { try GitCLI.run(["rev-parse", "HEAD"], in: work) }

        func source() throws -> GitSource {
            try GitSource.local(repository: work, folder: "", blobsDirectory: folder.appendingPathComponent(".git/blobs").path)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    static let ann = ("Ann Author", "ann@example.com")
    static let ben = ("Ben Builder", "ben@example.com")
    static let cy = ("Cy Coder", "cy@example.com")
    static let dee = ("Dee Dev", "dee@example.com")
    static let eve = ("Eve Merger", "eve@example.com")

    @Test func eachFileNamesTheCommitThatLastChangedItAndTheMergeThatBroughtItIn() async throws {
        let repository = try People(["a.yaml", "b.yaml", "c.yaml", "d.yaml", "e.yaml"])
        defer { repository.remove() }
        let base = try repository.head()
        try repository.change("a.yaml", by: Self.ann)
        let ben = try repository.change("b.yaml", by: Self.ben)
        try repository.git("checkout", "-q", "-b", "feature")
        let dee = try repository.change("d.yaml", by: Self.dee)
        try repository.git("checkout", "-q", "main")
        let cy = try repository.change("c.yaml", by: Self.cy, committer: Self.ann)
        try await GitCLI.run(["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"], in: repository.work, author: Self.eve)
        let merge = try repository.head()
        let ann = try repository.change("a.yaml", by: Self.ann)

        let authors = try await repository.source().authors(
            since: base, until: ann, paths: ["a.yaml", "b.yaml", "c.yaml", "d.yaml", "e.yaml"])
        #expect(authors.note == nil)
        #expect(authors.walked == 6)
        #expect(authors.changes["a.yaml"]?.commit == ann && authors.changes["a.yaml"]?.merge == nil)
        #expect(authors.changes["b.yaml"]?.commit == ben && authors.changes["b.yaml"]?.author == "Ben Builder <ben@example.com>")
        let c = try #require(authors.changes["c.yaml"])
        #expect(c.commit == cy && c.author == "Cy Coder <cy@example.com>" && c.committer == "Ann Author <ann@example.com>")
        let d = try #require(authors.changes["d.yaml"])
        #expect(d.commit == dee && d.author == "Dee Dev <dee@example.com>" && d.merge == merge, "\(d)")
        // Unchanged since: the head, saying so.
        let e = authors.change(for: "e.yaml")
        #expect(e.change.commit == ann && e.fallback?.contains("did not change") == true)
        #expect(authors.head.committer == "Ann Author <ann@example.com>")
    }

    @Test func aMergeThatChangesAFileItselfIsItsAuthor() async throws {
        let repository = try People(["a.yaml", "b.yaml"])
        defer { repository.remove() }
        let base = try repository.head()
        try repository.git("checkout", "-q", "-b", "feature")
        try repository.change("a.yaml", by: Self.dee)
        try repository.git("checkout", "-q", "main")
        try repository.change("b.yaml", by: Self.ben)
        try await GitCLI.run(["merge", "-q", "--no-ff", "--no-commit", "feature"], in: repository.work, author: Self.eve)
        // The merge also edits a file neither parent has in this form (an "evil" merge).
        try "b.yaml: resolved by Eve\n".write(toFile: repository.work + "/b.yaml", atomically: true, encoding: .utf8)
        try await GitCLI.run(["commit", "-q", "-am", "Merge feature"], in: repository.work, author: Self.eve)
        let merge = try repository.head()
        let authors = try await repository.source().authors(since: base, until: merge, paths: ["a.yaml", "b.yaml"])
        #expect(authors.changes["b.yaml"]?.commit == merge && authors.changes["b.yaml"]?.author == "Eve Merger <eve@example.com>")
        #expect(authors.changes["a.yaml"]?.author == "Dee Dev <dee@example.com>" && authors.changes["a.yaml"]?.merge == merge)
    }

    /// An octopus merge of 20 branches: only its first 16 parents are compared (a diff each), so
    /// a file from a later branch counts as changed by the merge itself (review finding: a crafted
    /// merge of thousands of parents must not cost thousands of diffs).
    @Test func anOctopusMergeComparesAtMostSixteenParents() async throws {
        let files = (1...20).map { "o\($0).yaml" }
        let repository = try People(files)
        defer { repository.remove() }
        let base = try repository.head()
        var branches: [String] = []
        for (index, file) in files.enumerated() {
            try repository.git("checkout", "-q", "-b", "b\(index)", base)
            try repository.change(file, by: Self.dee)
            branches.append("b\(index)")
        }
        try repository.git("checkout", "-q", "main")
        try await GitCLI.run(["merge", "-q", "--no-ff", "-m", "Octopus"] + branches, in: repository.work, author: Self.eve)
        let merge = try repository.head()
        let authors = try await repository.source().authors(since: base, until: merge, paths: files)
        // Parent 0 is main (the base); branches b0 to b14 are parents 1 to 15.
        for file in files.prefix(15) {
            #expect(authors.changes[file]?.author == "Dee Dev <dee@example.com>" && authors.changes[file]?.merge == merge, "\(file)")
        }
        for file in files.dropFirst(15) {
            #expect(authors.changes[file]?.commit == merge, "\(file): past the parents compared, the merge's own")
        }
    }

    @Test func theWalkStopsAtItsBoundAndAttributesTheRestToTheHead() async throws {
        let files = (1...5).map { "f\($0).yaml" }
        let repository = try People(files)
        defer { repository.remove() }
        let base = try repository.head()
        var commits: [String] = []
        for (index, file) in files.enumerated() {
            commits.append(try repository.change(file, by: [Self.ann, Self.ben, Self.cy, Self.dee, Self.eve][index]))
        }
        let source = try repository.source()
        let bounded = try await source.authors(since: base, until: commits[4], paths: files, maxCommits: 2)
        #expect(bounded.walked == 2)
        #expect(Set(bounded.changes.keys) == ["f4.yaml", "f5.yaml"])
        #expect(bounded.changes["f4.yaml"]?.commit == commits[3])
        #expect(bounded.note?.contains("more than 2 commits") == true, "\(bounded.note ?? "nil")")
        let rest = bounded.change(for: "f1.yaml")
        #expect(rest.change.commit == commits[4] && rest.fallback == bounded.note)
        // Within the bound: every file its own commit.
        let whole = try await source.authors(since: base, until: commits[4], paths: files, maxCommits: 5)
        #expect(whole.note == nil && whole.walked == 5)
        #expect(files.indices.allSatisfy { whole.changes[files[$0]]?.commit == commits[$0] })
        #expect(GitSource.maxAuthorCommits == 1000)
    }

    @Test func aRewrittenBranchOrNoCommitAppliedFallsBackToTheHeadAndSaysSo() async throws {
        let repository = try People(["a.yaml", "b.yaml"])
        defer { repository.remove() }
        let base = try repository.head()
        let applied = try repository.change("a.yaml", by: Self.ann)
        try repository.git("reset", "-q", "--hard", base)
        let head = try repository.change("b.yaml", by: Self.ben)
        let source = try repository.source()
        let cases: [(String?, String)] = [
            (applied, "is not an ancestor of \(head)"),
            (String(repeating: "0", count: 40), "is not an ancestor of \(head)"),
            (nil, "no commit was applied before"),
        ]
        for (since, note) in cases {
            let authors = try await source.authors(since: since, until: head, paths: ["a.yaml", "b.yaml"])
            #expect(authors.changes.isEmpty, "\(since ?? "nil")")
            #expect(authors.note?.contains(note) == true, "\(since ?? "nil"): \(authors.note ?? "nil")")
            let b = authors.change(for: "b.yaml")
            #expect(b.change.commit == head && b.change.author == "Ben Builder <ben@example.com>" && b.fallback == authors.note)
        }
    }
}
