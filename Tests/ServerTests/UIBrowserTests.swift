import Foundation
import TestSupport
import Testing

/// The web UI in a real browser: headless Chromium driven by Selenium (Tests/UIBrowser/ui_browser.py)
/// against a real server seeded by `dpctl apply` of examples/. Screenshots of every page are kept
/// in `.build/test-output/ui/<run>/` for people to look at.
@Suite struct UIBrowserTests {
    @Test func theUIWorksInABrowser() async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        try await withServer { server in
            let apply = try await dpctl(
                ["apply", "-f", examples.path, "-R", "--applyset", "examples", "--root", examples.path], environment: server.env)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            // The automatic evaluations of the new versions: the pages show their checks.
            let evaluated = try await eventually(120) {
                let items = try await server.request("GET", "/api/evaluations?datasetVersion=churn-2026-10").json["items"]?.arrayValue ?? []
                return items.contains { $0["state"]?.stringValue == "DONE" }
            }
            #expect(evaluated, "churn-2026-10 was not evaluated")
            let viewer = try await server.key(role: "viewer")
            let output = repositoryRoot.appendingPathComponent(".build/test-output/ui")
                .appendingPathComponent("\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.prefix(8))")
            let script = repositoryRoot.appendingPathComponent("Tests/UIBrowser/ui_browser.py").path
            let result = try await Subprocess.run(
                "python3", [script, server.baseURL, TestServer.adminKey, viewer, output.path], combined: true, timeout: .seconds(900))
            #expect(!result.timedOut, "the browser test ran out of time: \(result.stdout.suffix(4000))")
            #expect(result.status == 0, "\(result.stdout.suffix(8000))")
            let shots = (try? FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".png") }) ?? []
            #expect(shots.count >= 15, "screenshots in \(output.path): \(shots)")
        }
    }
}
