import Foundation
import Manifests
import TestSupport
import Testing

/// Each object a sync changes is attributed to the commit that last changed its manifest file
/// since the commit applied last: several people's commits between two polls, a merged branch,
/// and a force push, through a real reconciler and server.
@Suite struct ReconcilerAuthorsTests {
    static let ann = ("Ann Author", "ann@example.com")
    static let ben = ("Ben Builder", "ben@example.com")
    static let cy = ("Cy Coder", "cy@example.com")
    static let dee = ("Dee Dev", "dee@example.com")
    static let eve = ("Eve Merger", "eve@example.com")

    /// Edits `file` and commits it as `author` (and `committer`); returns the commit.
    static func commit(
        _ repository: TestRepository, _ file: String, _ old: String, _ new: String, by author: (String, String),
        committer: (String, String)? = nil
    ) async throws -> String {
        try edit(repository.file(file), old, new)
        try await GitCLI.run(["commit", "-q", "-am", "Change \(file)"], in: repository.folder.path, author: author, committer: committer)
        return try await repository.git("rev-parse", "HEAD")
    }

    /// The newest audit event of `action` on `resource`.
    static func last(_ server: TestServer, _ resource: String, _ action: String = "update") async throws -> JSONValue {
        try #require(try await server.auditEvents("&resource=\(resource)&action=\(action)").last, "no \(action) of \(resource)")
    }

    @Test func eachObjectNamesThePersonWhoLastChangedItsFile() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let secretFile = repository.folder.appendingPathComponent(".git/hook-secret")
        try ReconcilerTests.secret.write(to: secretFile, atomically: true, encoding: .utf8)
        try await withServer { server in
            // Polls rarely: each step below is announced by a webhook, so that the commits land between two polls.
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1h", "--resync", "1s", "--prune",
                    "--webhook-secret-file", secretFile.path,
                ])
            func applied(_ commit: String) async throws -> Bool {
                try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == commit }
            }
            do {
                let first = try await repository.git("rev-parse", "HEAD")
                #expect(try await applied(first), "first sync did not converge:\n\(reconciler.logText)")
                // The first sync: nothing applied before, so the head, saying so.
                let created = try await Self.last(server, "dataset/churn", "create")
                #expect(created["source"]?["commit"]?.stringValue == first)
                #expect(
                    created["source"]?["attribution"]?.stringValue?.hasPrefix("head: no commit was applied before") == true, "\(created)")

                // Three people, three files, one poll.
                let ann = try await Self.commit(
                    repository, "examples/datasets/churn.yaml", "owner: growth-analytics@example.com", "owner: churn@example.com",
                    by: Self.ann)
                let ben = try await Self.commit(
                    repository, "examples/datasets/product-events.yaml", "owner: growth-analytics@example.com", "owner: events@example.com",
                    by: Self.ben)
                let cy = try await Self.commit(
                    repository, "examples/datasets/support-tickets.yaml", "owner: cs-data@example.com", "owner: tickets@example.com",
                    by: Self.cy, committer: Self.dee)
                #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
                #expect(try await applied(cy), "\(reconciler.logText)")
                for (resource, commit, author) in [
                    ("dataset/churn", ann, "Ann Author <ann@example.com>"),
                    ("dataset/product-events", ben, "Ben Builder <ben@example.com>"),
                    ("dataset/support-tickets", cy, "Cy Coder <cy@example.com>"),
                ] {
                    let source = try await Self.last(server, resource)["source"]
                    #expect(source?["commit"]?.stringValue == commit, "\(resource): \(source ?? .null)")
                    #expect(source?["author"]?.stringValue == author, "\(resource): \(source ?? .null)")
                    #expect(source?["attribution"] == "file" && source?["merge"] == nil, "\(resource): \(source ?? .null)")
                }
                #expect(try await Self.last(server, "dataset/support-tickets")["source"]?["committer"] == "Dee Dev <dee@example.com>")
                let lineage = try await server.request("GET", "/api/lineage/graph?node=commit/\(ben)&direction=downstream&depth=1").json
                    .jsonString()
                #expect(lineage.contains("product-events") && !lineage.contains("support-tickets"), "\(lineage)")
                // The sync's own event names the head.
                #expect(try await Self.last(server, "source/examples", "sync")["source"]?["commit"]?.stringValue == cy)

                // A branch whose commit changed a fourth file, merged by someone else.
                try await repository.git("checkout", "-q", "-b", "feature")
                let dee = try await Self.commit(
                    repository, "examples/quality/churn-contact.yaml", "description: Email coverage and record freshness",
                    "description: Email coverage, shape and freshness", by: Self.dee)
                try await repository.git("checkout", "-q", "main")
                let side = try await Self.commit(
                    repository, "examples/datasets/churn.yaml", "owner: churn@example.com", "owner: churn-team@example.com", by: Self.ben)
                try await GitCLI.run(
                    ["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"], in: repository.folder.path, author: Self.eve)
                let merge = try await repository.git("rev-parse", "HEAD")
                #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
                #expect(try await applied(merge), "\(reconciler.logText)")
                let rule = try #require(try await Self.last(server, "qualityrule/churn-contact")["source"])
                #expect(rule["commit"]?.stringValue == dee && rule["author"] == "Dee Dev <dee@example.com>", "\(rule)")
                #expect(rule["merge"]?.stringValue == merge, "\(rule)")
                let churn = try #require(try await Self.last(server, "dataset/churn")["source"])
                #expect(churn["commit"]?.stringValue == side && churn["author"] == "Ben Builder <ben@example.com>" && churn["merge"] == nil)
                let merged = try await server.request("GET", "/api/lineage/graph?node=commit/\(merge)&direction=downstream&depth=1").json
                #expect(merged.jsonString().contains("churn-contact") && merged.jsonString().contains("merged"), "\(merged)")

                // Drift on the merged rule: the drift event names who wrote its desired state.
                let editor = try await server.key(role: "editor")
                try await server.rewrite(
                    "/api/qualityrules/churn-contact", "Email coverage, shape and freshness", "Rogue description", key: editor)
                var detected: JSONValue?
                for _ in 0..<60 where detected == nil {
                    _ = try await ReconcilerTests.signedHook(reconciler, body: "{}")
                    try await Task.sleep(for: .seconds(1))
                    detected = try await server.auditEvents("&resource=qualityrule/churn-contact&action=drift-detected").last
                }
                let drift = try #require(detected, "no drift detected:\n\(reconciler.logText)")
                let desiredBy = drift.jsonString()
                #expect(
                    desiredBy.contains("desiredBy") && desiredBy.contains(dee) && desiredBy.contains("Dee Dev")
                        && desiredBy.contains(merge), "\(drift)")

                // A force push: the commit applied last is no longer an ancestor. The head, saying so.
                try await repository.git("reset", "-q", "--hard", first)
                let rewritten = try await Self.commit(
                    repository, "examples/datasets/churn.yaml", "owner: growth-analytics@example.com", "owner: rewritten@example.com",
                    by: Self.eve)
                #expect(try await ReconcilerTests.signedHook(reconciler, body: "{}").status == 202)
                #expect(try await applied(rewritten), "\(reconciler.logText)")
                for resource in ["dataset/churn", "dataset/product-events", "qualityrule/churn-contact"] {
                    let source = try await Self.last(server, resource)["source"]
                    #expect(
                        source?["commit"]?.stringValue == rewritten && source?["author"] == "Eve Merger <eve@example.com>", "\(resource)")
                    #expect(
                        source?["attribution"]?.stringValue?.contains("\(merge), is not an ancestor of \(rewritten)") == true,
                        "\(resource): \(source ?? .null)")
                }
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}
