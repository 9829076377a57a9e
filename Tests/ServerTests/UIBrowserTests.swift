import Foundation
import TestSupport
import Testing

/// The web UI in a real browser: headless Chromium driven by Selenium (Tests/UIBrowser/ui_browser.py)
/// against a real server seeded by `dpctl apply` of examples/, with the UI in the all-in-one
/// process and as a service of its own (`--service ui`) in front of it. Screenshots of every
/// page are kept in `.build/test-output/ui/<run>/` for people to look at.
@Suite struct UIBrowserTests {
    enum Placement: String, CaseIterable, Sendable {
        case allInOne = "all-in-one"
        case service = "ui-service"
    }

    @Test(arguments: Placement.allCases)
    func theUIWorksInABrowser(placement: Placement) async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        // The server reaches the reconciler (started after it) through a relay on a fixed port.
        let relay = try await ForwardingProxy.start(to: 1)
        defer { relay.stop() }
        try await withServer(arguments: ["--reconciler-url", relay.endpoint]) { server in
            let apply = try await dpctl(
                ["apply", "-f", examples.path, "-R", "--applyset", "examples", "--root", examples.path], environment: server.env)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            // The automatic evaluations of the new versions: the pages show their checks.
            let evaluated = try await eventually(120) {
                let items = try await server.request("GET", "/api/evaluations?datasetVersion=churn-2026-10").json["items"]?.arrayValue ?? []
                return items.contains { $0["state"]?.stringValue == "DONE" }
            }
            #expect(evaluated, "churn-2026-10 was not evaluated")
            // A run's telemetry, as its job would report it.
            let metrics = try await server.request(
                "POST", "/api/experiment-runs/churn-baselines-gbm/metrics",
                json: #"{"metrics": [{"key": "loss", "value": 0.5, "step": 1, "timestamp": 1764180000000}, "#
                    + #"{"key": "loss", "value": 0.4, "step": 2, "timestamp": 1764180001000}]}"#)
            #expect(metrics.status == 200, "\(metrics.text)")
            let events = try await server.request(
                "POST", "/api/experiment-runs/churn-baselines-gbm/events",
                json: #"{"events": [{"level": "info", "message": "epoch 2 done", "timestamp": 1764180001000}]}"#)
            #expect(events.status == 200, "\(events.text)")
            // A git source kept by a reconciler: a synced commit, drift behind its back, an invalid commit.
            let source = try await SourceSeed.start(server: server, relay: relay)
            defer { source.repository.remove() }
            let viewer = try await server.key(role: "viewer")
            let ui =
                placement == .service ? try await server.sibling(arguments: ["--service", "ui", "--gateway-url", server.baseURL]) : server
            let output = repositoryRoot.appendingPathComponent(".build/test-output/ui")
                .appendingPathComponent("\(Int(Date().timeIntervalSince1970))-\(placement.rawValue)-\(UUID().uuidString.prefix(8))")
            let script = repositoryRoot.appendingPathComponent("Tests/UIBrowser/ui_browser.py").path
            let result: ProcessResult
            do {
                result = try await Subprocess.run(
                    "python3", [script, ui.baseURL, TestServer.adminKey, viewer, output.path, server.baseURL, SourceSeed.name],
                    combined: true, timeout: .seconds(900))
            } catch {
                await source.reconciler.stop()
                throw error
            }
            await source.reconciler.stop()
            #expect(!result.timedOut, "the browser test ran out of time: \(result.stdout.suffix(4000))")
            #expect(result.status == 0, "\(result.stdout.suffix(8000))")
            let shots = (try? FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".png") }) ?? []
            #expect(shots.count >= 15, "screenshots in \(output.path): \(shots)")
        }
    }

    /// In a split deployment the gateway serves /ui/ too, reading through itself.
    @Test func theGatewayOfASplitDeploymentServesTheUI() async throws {
        try await withServer(mode: .split) { gateway in
            let created = try await gateway.request("POST", "/api/datasets", json: dataset("split-ui-probe"))
            #expect(created.status == 201, "\(created.text)")
            let form = try await gateway.request("GET", "/ui/sign-in", key: nil)
            #expect(form.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            let session = try await UISession.signIn(gateway, key: TestServer.adminKey)
            let page = try await session.get("/ui/datasets")
            #expect(page.status == 200 && page.text.contains("split-ui-probe"), "\(page.status) \(page.text.prefix(2000))")
        }
    }

    /// The UI service alone needs to know where the gateway is; each bad setting is named.
    @Test(arguments: [
        (["--service", "ui"], "needs --gateway-url"),
        (["--service", "ui", "--gateway-url", "gateway:8080"], "gateway-url must be an http(s) URL"),
        (["--service", "ui,nope"], "\"nope\""),
    ])
    func theUIServiceRefusesBadSettings(arguments: [String], message: String) async throws {
        let result = try await Subprocess.run(try Products.path("datapilot-server"), arguments, timeout: .seconds(120))
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}

/// The browser test's git source `team-data`: a repository holding one experiment, kept by a real
/// reconciler (polling every second, scanning for drift every second) behind the server's
/// `reconciler-url` relay. Seeded with a synced commit, a change of the experiment behind git's back
/// (reported as drift) and then an invalid commit (its error names file:line).
struct SourceSeed {
    static let name = "team-data"
    let repository: TestRepository
    let reconciler: TestReconciler

    static let experiment = """
        apiVersion: datapilot.io/v1alpha1
        kind: Experiment
        metadata:
          name: ui-probe
        spec:
          description: Kept by the team-data source.
          objective: {metric: auc, goal: maximize}

        """

    static func start(server: TestServer, relay: ForwardingProxy) async throws -> SourceSeed {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ui-source-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try experiment.write(to: folder.appendingPathComponent("experiment.yaml"), atomically: true, encoding: .utf8)
        let repository = try await TestRepository(copying: folder)
        let reconciler = try await TestReconciler(
            server: server,
            arguments: ["--repo", repository.url, "--path", "examples", "--name", name, "--interval", "1s", "--resync", "1s"])
        do {
            try relay.forward(to: reconciler.port)
            let first = try await repository.git("rev-parse", "HEAD")
            let synced = try await eventually(120) { await reconciler.source(name)?["lastAppliedCommit"]?.stringValue == first }
            #expect(synced, "\(reconciler.logText.suffix(4000))")
            let editor = try await server.key(role: "editor")
            try await server.rewrite("/api/experiments/ui-probe", "Kept by the team-data source.", "Changed by hand.", key: editor)
            let drifted = try await eventually(120) {
                try await server.auditEvents("&action=drift-detected").contains { $0["resource"] == "experiment/ui-probe" }
            }
            #expect(drifted, "\(reconciler.logText.suffix(4000))")
            try edit(repository.file("examples/experiment.yaml"), "goal: maximize", "goal: sideways")
            let bad = try await repository.commit("An objective that goes nowhere")
            let refused = try await eventually(120) {
                let status = await reconciler.source(name)
                guard status?["lastAttemptedCommit"]?.stringValue == bad && status?["result"] == "invalid" else { return false }
                // Its sync event too (recorded after the status row): the source page's history reads the audit log.
                return try await server.auditEvents("&resource=source/\(name)&action=sync").contains {
                    $0["source"]?["commit"]?.stringValue == bad
                }
            }
            #expect(refused, "\(reconciler.logText.suffix(4000))")
        } catch {
            await reconciler.stop()
            repository.remove()
            throw error
        }
        return SourceSeed(repository: repository, reconciler: reconciler)
    }
}
