import Testing

@testable import UI

/// Commit and file links on the forges the UI knows, and no link for anything else.
@Suite struct ForgeLinkTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    @Test(arguments: [
        ("https://github.com/acme/data.git", "https://github.com/acme/data/commit/\(commit)"),
        ("https://github.com/acme/data", "https://github.com/acme/data/commit/\(commit)"),
        ("git@github.com:acme/data.git", "https://github.com/acme/data/commit/\(commit)"),
        ("ssh://git@github.com/acme/data.git", "https://github.com/acme/data/commit/\(commit)"),
        ("https://GitHub.com/acme/data/", "https://github.com/acme/data/commit/\(commit)"),
        ("https://gitlab.com/group/sub/data.git", "https://gitlab.com/group/sub/data/-/commit/\(commit)"),
        ("git@gitlab.com:group/data.git", "https://gitlab.com/group/data/-/commit/\(commit)"),
    ])
    func knownForgesLinkTheCommit(remote: String, link: String) throws {
        let forge = try #require(ForgeLinks(remote: remote))
        #expect(forge.commit(Self.commit) == link)
    }

    /// Bad input: each gives no link at all (the page shows the commit as text).
    @Test(arguments: [
        "file:///tmp/repo", "/srv/git/data.git", "https://git.example.com/acme/data.git", "https://github.com.evil.example/acme/data",
        "https://evilgithub.com/acme/data", "https://github.com/acme", "https://github.com/acme/data/extra",
        "https://github.com/acme/../data", "https://github.com/acme/da%22ta", "https://github.com:8443/acme/data",
        "javascript:alert(1)//github.com/acme/data", "https://gitlab.com/group/-/data", "", "https://github.com/acme/da ta",
        "git@evil.example:github.com/acme/data",
    ])
    func otherAddressesGiveNoLink(remote: String) {
        #expect(ForgeLinks(remote: remote) == nil, "\(remote)")
    }

    @Test func commitsAndFilesAreCheckedToo() throws {
        let forge = try #require(ForgeLinks(remote: "https://github.com/acme/data.git"))
        for bad in ["abc123", String(Self.commit.dropLast()), Self.commit.uppercased(), String(Self.commit.dropLast()) + "\"", ""] {
            #expect(forge.commit(bad) == nil, "\(bad)")
        }
        #expect(
            forge.file("examples/experiment.yaml", line: 7, commit: Self.commit)
                == "https://github.com/acme/data/blob/\(Self.commit)/examples/experiment.yaml#L7")
        #expect(
            forge.file("a b/x#y.yaml", line: 1, commit: Self.commit)
                == "https://github.com/acme/data/blob/\(Self.commit)/a%20b/x%23y.yaml#L1")
        for path in ["/etc/passwd", "../x.yaml", "a/./b.yaml", ""] {
            #expect(forge.file(path, line: 1, commit: Self.commit) == nil, "\(path)")
        }
        #expect(forge.file("x.yaml", line: 0, commit: Self.commit) == nil)
        let gitlab = try #require(ForgeLinks(remote: "https://gitlab.com/group/data"))
        #expect(gitlab.file("x.yaml", line: 3, commit: Self.commit) == "https://gitlab.com/group/data/-/blob/\(Self.commit)/x.yaml#L3")
    }

    /// A sync's error lines: file:line:column linked on a forge, everything escaped.
    @Test func errorLinesLinkFileAndLine() throws {
        let forge = ForgeLinks(remote: "https://github.com/acme/data.git")
        let html = UIRoutes.errorLines(
            "examples/x.yaml:7:12: spec.objective.goal: expected one of maximize, minimize\n<b>not markup</b>", forge: forge,
            commit: Self.commit
        ).text
        #expect(html.contains("<a href=\"https://github.com/acme/data/blob/\(Self.commit)/examples/x.yaml#L7\""), "\(html)")
        #expect(html.contains("<code>examples/x.yaml:7:12</code></a>: spec.objective.goal"), "\(html)")
        #expect(html.contains("&lt;b&gt;not markup&lt;/b&gt;") && !html.contains("<b>"), "\(html)")
        let plain = UIRoutes.errorLines("examples/x.yaml:7:12: bad", forge: nil, commit: Self.commit).text
        #expect(plain.contains("<code>examples/x.yaml:7:12</code>: bad") && !plain.contains("href"), "\(plain)")
    }
}
