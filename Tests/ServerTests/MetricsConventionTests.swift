import Curl
import Foundation
import Manifests
import TestSupport
import Testing

/// Both executables' `/metrics` pass `promtool check metrics` (Prometheus's own linter: names,
/// `_total` on counters, units, help text), after traffic that makes every family appear, and
/// the alert rules in deploy/ pass `promtool check rules` and name only families a live process
/// exported.
@Suite struct MetricsConventionTests {
    static func scrape(_ url: String) async throws -> String {
        let response = try await dpctlQueue.run {
            try Transfer().perform(HTTPRequest(method: "GET", url: url + "/metrics", headers: [], body: .none, timeoutSeconds: 10))
        }
        #expect(response.status == 200)
        return String(decoding: response.body, as: UTF8.self)
    }

    /// What promtool says of `text`, and its exit status (0: nothing to say).
    static func promtool(_ arguments: [String], input text: String? = nil) async throws -> ProcessResult {
        try await Subprocess.run("promtool", arguments, stdin: text)
    }

    /// The families a scrape shows (`# TYPE` lines).
    static func families(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
    }

    @Test func bothProcessesMetricsPassPromtoolAndTheRulesUseWhatTheyExport() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server, arguments: ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1s"])
            do {
                let commit = try await repository.git("rev-parse", "HEAD")
                #expect(
                    try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == commit },
                    "\(reconciler.logText)")
                // An error answer and an unsigned webhook, so that the error families appear too.
                #expect(try await server.request("GET", "/api/datasets/no-such-dataset").status == 404)
                #expect(try await reconciler.post("/hooks/examples", body: Array("{}".utf8), headers: []).status != 202)

                let serverText = try await Self.scrape(server.baseURL)
                let reconcilerText = try await Self.scrape(reconciler.baseURL)
                for (name, text) in [("server", serverText), ("reconciler", reconcilerText)] {
                    let checked = try await Self.promtool(["check", "metrics"], input: text)
                    #expect(
                        checked.status == 0 && checked.stdout.isEmpty && checked.stderr.isEmpty,
                        "promtool on the \(name)'s /metrics: \(checked.stdout)\(checked.stderr)")
                }
                let exported = Self.families(serverText).union(Self.families(reconcilerText))
                for family in ["http_server_requests_total", "http_server_request_duration_seconds", "datapilot_syncs_total"] {
                    #expect(exported.contains(family), "\(family) in \(exported.sorted())")
                }

                // The PrometheusRule's groups as a plain rules file, as promtool reads them.
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                let rules = folder.appendingPathComponent("rules.yaml")
                let extracted = try await Subprocess.run(
                    "python3",
                    [
                        "-c",
                        "import sys, yaml; doc = yaml.safe_load(open(sys.argv[1])); yaml.safe_dump({'groups': doc['spec']['groups']}, open(sys.argv[2], 'w'))",
                        repositoryRoot.appendingPathComponent("deploy/monitoring/prometheus-rules.yaml").path, rules.path,
                    ])
                #expect(extracted.status == 0, "\(extracted.stderr)")
                let checkedRules = try await Self.promtool(["check", "rules", rules.path])
                #expect(checkedRules.status == 0, "promtool check rules: \(checkedRules.stdout)\(checkedRules.stderr)")
                // Every family an expression names is one a live process exported (histograms by their _bucket).
                let expressions = try String(contentsOf: rules, encoding: .utf8)
                let used = Set(
                    expressions.matches(of: /\b((?:datapilot|http_server|hb)_[a-z_]+)\b/).map { String($0.1) }.map { name in
                        ["_bucket", "_sum", "_count"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 }
                    })
                #expect(!used.isEmpty)
                // Families that appear only when something is wrong (git errors, sealing lag) are
                // exported lazily; MonitoringTests checks those against the sources.
                let lazily: Set = ["datapilot_git_errors_total", "datapilot_sync_errors_total"]
                for family in used.subtracting(lazily) {
                    #expect(exported.contains(family), "the rules use \(family), which neither process exported")
                }
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }
}
