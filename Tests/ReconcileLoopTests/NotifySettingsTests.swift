import Foundation
import Notifications
import Reconciler
import Settings
import Testing

/// The `notify:` setting of a source: every mistake is refused with the file, the setting's
/// path and the source; secrets only from files or variables; a configuration shows no token.
@Suite struct NotifySettingsTests {
    let folder: URL
    let token: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("notify-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        token = folder.appendingPathComponent("token").path
        try "ghp_settings0123456789\n".write(toFile: token, atomically: true, encoding: .utf8)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func load(_ notify: String, checkOnly: Bool = false) throws -> ReconcilerConfiguration {
        let file = try write(
            "sources-\(UUID().uuidString).yaml",
            "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\", notify: \(notify)}\n")
        return try ReconcilerConfiguration.load(file: file, environment: [:], checkOnly: checkOnly)
    }

    @Test func badSettingsNameTheFileTheSettingAndTheSource() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let plainSlack = try write("slack-url", "http://hooks.example.com/services/T0/B0/plainsecret\n")
        let at = "sources[0].notify"
        let source = "(source \"a\")"
        let cases: [(String, String)] = [
            ("yes", "\(at) \(source): expected a list of targets"),
            ("[github]", "\(at)[0] \(source): expected a mapping"),
            ("[{repository: a/b}]", "\(at)[0].type \(source): is required: one of github, gitlab, webhook, slack"),
            ("[{type: bitbucket}]", "\(at)[0].type \(source): \"bitbucket\" is not one of github, gitlab, webhook, slack"),
            ("[{type: github, repository: a/b, token: abc}]", "\(at)[0].token \(source): put the token in a file (token-file)"),
            (
                "[{type: slack, url: \"https://hooks.slack.com/services/x\"}]",
                "\(at)[0].url \(source): put the Slack webhook URL (it carries the token) in a file (url-file)"
            ),
            ("[{type: github, repository: a/b}]", "\(at)[0].token-file \(source): is required (or token-env)"),
            ("[{type: github, repository: a/b, token-file: /nonexistent/t}]", "\(at)[0].token-file: cannot read /nonexistent/t \(source)"),
            (
                "[{type: github, repository: a/b, token-env: NOPE}]",
                "\(at)[0].token-env: the environment variable NOPE is not set \(source)"
            ),
            ("[{type: github, token-file: \(token)}]", "\(at)[0].repository \(source): is required: owner/name"),
            ("[{type: github, repository: acme, token-file: \(token)}]", "\(at)[0].repository \(source): \"acme\" is not owner/name"),
            (
                "[{type: github, repository: \"a/../b\", token-file: \(token)}]",
                "\(at)[0].repository \(source): \"a/../b\" is not owner/name"
            ),
            (
                "[{type: github, repository: a/b, token-file: \(token), api-url: \"ftp://x\"}]",
                "\(at)[0].api-url \(source): \"ftp://x\" is not an http(s) URL"
            ),
            (
                "[{type: github, repository: a/b, token-file: \(token), api-url: \"http://github.example.com\"}]",
                "\(at)[0].api-url \(source): \"http://github.example.com\" is plain http to another host; use https"
            ),
            (
                "[{type: webhook, url: \"https://u:pw@hooks.example.com/x\", secret-file: \(token)}]",
                "\(at)[0].url \(source): \"https://u:***@hooks.example.com/x\" carries credentials"
            ),
            ("[{type: webhook, secret-file: \(token)}]", "\(at)[0].url \(source): is required"),
            ("[{type: webhook, url: \"https://h.example.com\"}]", "\(at)[0].secret-file \(source): is required (or secret-env)"),
            (
                "[{type: github, repository: a/b, token-file: \(token), events: [sync-done]}]",
                "\(at)[0].events \(source): \"sync-done\" is not one of sync-started, sync-succeeded, sync-failed, drift-detected, drift-healed"
            ),
            ("[{type: github, repository: a/b, token-file: \(token), events: []}]", "\(at)[0].events \(source): expected a list of events"),
            (
                "[{type: webhook, url: \"https://h.example.com\", secret-file: \(token), repository: a/b}]",
                "\(at)[0] \(source): unknown setting \"repository\" for type webhook"
            ),
            ("[{type: gitlab, project: \"a//b\", token-file: \(token)}]", "\(at)[0].project \(source): \"a//b\" is not a project id"),
            ("[{type: gitlab, token-file: \(token)}]", "\(at)[0].project \(source): is required"),
            (
                "[{type: slack, url-file: \(plainSlack)}]",
                "\(at)[0].url-file \(source): the URL in the file is plain http to another host"
            ),
            (
                "[{type: github, repository: a/b, token-file: \(token)}, {type: slack, url-file: \(token)}]",
                "\(at)[1].url-file \(source): the URL in the file is not an http(s) URL"
            ),
        ]
        for (notify, message) in cases {
            do {
                _ = try load(notify)
                Issue.record("\(notify): accepted, expected \(message)")
            } catch {
                let text = "\(error)"
                #expect(text.hasPrefix(folder.path) && text.contains(message), "\(notify): \(text)\n  expected: \(message)")
                // The secrets themselves are never quoted.
                #expect(!text.contains("plainsecret") && !text.contains("ghp_settings") && !text.contains("pw@"), "\(text)")
            }
        }
    }

    @Test func goodSettingsAndTheirDefaults() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let slack = try write("slack", "https://hooks.slack.com/services/T0/B0/slacksecret\n")
        let configuration = try load(
            """
            [{type: github, repository: acme/data, token-file: \(token)},
             {type: gitlab, project: "group/sub/data", token-file: \(token), api-url: "https://gitlab.example.com/", context: ci/data},
             {type: webhook, url: "https://hooks.example.com/dp", secret-file: \(token), events: [sync-failed, drift-detected]},
             {type: slack, url-file: \(slack)}]
            """)
        let targets = configuration.sources[0].notify.map(\.target)
        #expect(
            targets.map(\.label) == ["github acme/data", "gitlab group/sub/data", "webhook hooks.example.com/dp", "slack hooks.slack.com"])
        #expect(targets[0].events == [.syncStarted, .syncSucceeded, .syncFailed, .syncProgressing, .syncDegraded])
        #expect(targets[2].events == [.syncFailed, .driftDetected])
        #expect(targets[3].events == Set(NotificationEvent.Kind.allCases))
        guard case .github(let github) = configuration.sources[0].notify[0], case .gitlab(let gitlab) = configuration.sources[0].notify[1]
        else {
            Issue.record("\(configuration.sources[0].notify)")
            return
        }
        #expect(github.api == "https://api.github.com" && github.context == "datapilot/a" && github.token.value == "ghp_settings0123456789")
        #expect(gitlab.api == "https://gitlab.example.com" && gitlab.context == "ci/data")
        // Printed or dumped, a configuration shows no secret.
        var dumped = ""
        dump(configuration.sources, to: &dumped)
        let shown = "\(configuration.sources) \(String(reflecting: configuration.sources)) \(dumped)"
        #expect(!shown.contains("ghp_settings") && !shown.contains("slacksecret"), "\(shown)")

        // --check reads no secret and names the files.
        let checked = try load(
            "[{type: github, repository: a/b, token-file: /run/secrets/gh}, {type: slack, url-file: /run/secrets/slack}]", checkOnly: true)
        #expect(checked.secretReferences.contains("sources[0].notify[0].token-file: /run/secrets/gh"), "\(checked.secretReferences)")
        #expect(checked.secretReferences.contains("sources[0].notify[1].url-file: /run/secrets/slack"), "\(checked.secretReferences)")
    }

    /// `wait:` and `wait-timeout:` (issue 18, sync health): the defaults, and every mistake named.
    @Test func waitSettings() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        func load(_ settings: String) throws -> SourceConfiguration {
            let file = try write(
                "wait-\(UUID().uuidString).yaml", "database-url: postgres://x\nsources:\n  - {name: a, url: \"file:///x\"\(settings)}\n")
            return try ReconcilerConfiguration.load(file: file, environment: [:], checkOnly: true).sources[0]
        }
        let plain = try load("")
        #expect(!plain.waitForHealth && plain.waitTimeout == 300)
        let waiting = try load(", wait: true, wait-timeout: 90s")
        #expect(waiting.waitForHealth && waiting.waitTimeout == 90)
        let cases: [(String, String)] = [
            (", wait: yes", "sources[0].wait: true or false"),
            (", wait: 5m", "sources[0].wait: true or false"),
            (", wait-timeout: soon", "sources[0].wait-timeout: \"soon\" is not a duration"),
            (", wait-timeout: 0s", "sources[0].wait-timeout: \"0s\" is not a duration"),
            (", wait-timeout: 2d", "sources[0].wait-timeout: between 1s and 24h"),
            (", waitt: true", "unknown setting \"waitt\""),
        ]
        for (settings, says) in cases {
            #expect(throws: (any Error).self, "\(settings)") { try load(settings) }
            do {
                _ = try load(settings)
            } catch {
                #expect("\(error)".contains(says), "\(settings): \(error)")
            }
        }
    }
}
