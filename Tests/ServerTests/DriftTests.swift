import Curl
import Foundation
import Manifests
import TestSupport
import Testing

extension TestServer {
    /// Changes one field of a live object as another user would: GET, edit the text, PUT.
    func rewrite(_ path: String, _ old: String, _ new: String, key: String) async throws {
        let live = try await request("GET", path).json
        let body = JSONValue.object([
            JSONMember(
                "metadata",
                .object([
                    JSONMember("name", live["metadata"]?["name"] ?? .null),
                    JSONMember("labels", live["metadata"]?["labels"] ?? .object([])),
                    JSONMember("annotations", live["metadata"]?["annotations"] ?? .object([])),
                ])),
            JSONMember("spec", live["spec"] ?? .object([])),
        ]).jsonString()
        precondition(body.contains(old), "\(path) does not contain \(old)")
        let response = try await request("PUT", path, json: body.replacingOccurrences(of: old, with: new), key: key)
        #expect(response.status == 200, "\(response.text)")
    }
}

/// Adds `datapilot.io/drift: MODE` to the manifest named `name` in `file`.
func annotate(_ file: URL, name: String, mode: String) throws {
    try edit(file, "  name: \(name)\n", "  name: \(name)\n  annotations: {datapilot.io/drift: \(mode)}\n")
}

@Suite struct DriftTests {
    /// The reconciler scans for drift on every resync: a change by another user is reported with
    /// the field, the user and the time; heal mode reverts changes and recreates deleted objects;
    /// ignore mode reports nothing. `dpctl drift` shows the same on demand, in every format.
    @Test func driftIsReportedHealedOrIgnoredByEachObjectsMode() async throws {
        let examples = try examplesCopy()
        defer { try? FileManager.default.removeItem(at: examples) }
        // Annotations: support-tickets and churn-contact heal, product-events is ignored, the rest report.
        try edit(
            examples.appendingPathComponent("datasets/support-tickets.yaml"), "  annotations:\n",
            "  annotations:\n    datapilot.io/drift: heal\n")
        try annotate(examples.appendingPathComponent("datasets/product-events.yaml"), name: "product-events", mode: "ignore")
        try edit(
            examples.appendingPathComponent("quality/churn-contact.yaml"), "  annotations:\n",
            "  annotations:\n    datapilot.io/drift: heal\n")
        let repository = try await TestRepository(copying: examples)
        defer { repository.remove() }
        try await withServer { server in
            let reconciler = try await TestReconciler(
                server: server,
                arguments: [
                    "--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1s", "--resync", "1s",
                ])
            do {
                let commit = try await repository.git("rev-parse", "HEAD")
                #expect(
                    try await eventually(60) { await reconciler.source("examples")?["lastAppliedCommit"]?.stringValue == commit },
                    "\(reconciler.logText)")

                // Another user changes three datasets and deletes two rules behind git's back.
                let editor = try await server.key(role: "editor")
                let subject = try await server.request("GET", "/auth/whoami", key: editor).json["subject"]?.stringValue ?? "?"
                try await server.rewrite("/api/datasets/churn", "growth-analytics@example.com", "rogue@example.com", key: editor)
                try await server.rewrite("/api/datasets/support-tickets", "cs-data@example.com", "rogue@example.com", key: editor)
                try await server.rewrite("/api/datasets/product-events", "growth-analytics@example.com", "rogue@example.com", key: editor)
                #expect(try await server.request("DELETE", "/api/qualityrules/churn-contact", key: editor).status == 204)
                #expect(try await server.request("DELETE", "/api/qualityrules/support-tickets-survey", key: editor).status == 204)

                // Healed: the owner is back, the deleted rule is back; both events recorded.
                let healed = try await eventually(60) {
                    let owner = try await server.request("GET", "/api/datasets/support-tickets").json["spec"]?["owner"]
                    let rule = try await server.request("GET", "/api/qualityrules/churn-contact").status
                    return owner == "cs-data@example.com" && rule == 200
                }
                #expect(healed, "\(reconciler.logText)")
                // The heal's events follow its writes.
                let recorded = try await eventually(30) {
                    let healedEvents = try await server.auditEvents("&action=drift-healed").compactMap { $0["resource"]?.stringValue }
                    return healedEvents.contains("dataset/support-tickets") && healedEvents.contains("qualityrule/churn-contact")
                }
                #expect(recorded)
                let events = try await server.auditEvents()
                func actions(_ resource: String) -> [String] {
                    events.filter { $0["resource"]?.stringValue == resource }.compactMap { $0["action"]?.stringValue }
                }
                #expect(
                    actions("dataset/support-tickets").contains("drift-detected")
                        && actions("dataset/support-tickets").contains("drift-healed"))
                #expect(
                    Array(actions("qualityrule/churn-contact").suffix(4)) == ["delete", "drift-detected", "create", "drift-healed"],
                    "\(actions("qualityrule/churn-contact"))")
                let detected = try #require(events.last { $0["resource"] == "dataset/churn" && $0["action"] == "drift-detected" })
                #expect(detected["diff"]?.jsonString().contains("rogue@example.com") == true, "\(detected)")
                #expect(detected["diff"]?.jsonString().contains(subject) == true, "\(detected)")
                #expect(!actions("dataset/product-events").contains("drift-detected"), "ignored objects are not reported")
                #expect(
                    try await server.request("GET", "/api/datasets/churn").json["spec"]?["owner"] == "rogue@example.com",
                    "report mode leaves it")
                let metrics = try await dpctlQueue.run {
                    try Transfer().perform(
                        HTTPRequest(method: "GET", url: reconciler.baseURL + "/metrics", headers: [], body: .none, timeoutSeconds: 10))
                }
                let text = String(decoding: metrics.body, as: UTF8.self)
                #expect(
                    text.contains("datapilot_drifted_objects{source=\"examples\"}")
                        && text.contains("datapilot_drift_heals_total{source=\"examples\"}"), "\(text)")

                // dpctl drift on demand: the field with both values, the user, the time, the request.
                let drift = try await dpctl(
                    ["drift", "--source", "examples", "--reconciler", reconciler.baseURL, "-o", "json"], environment: server.env)
                #expect(drift.status == 1, "\(drift.stdout)\(drift.stderr)")
                let report = try #require(try? JSONText.parse(Array(drift.stdout.utf8)).get())
                let objects = report["objects"]?.arrayValue ?? []
                #expect(
                    Set(objects.compactMap { $0["object"]?.stringValue }) == ["dataset/churn", "qualityrule/support-tickets-survey"],
                    "\(drift.stdout)")
                let churn = try #require(objects.first { $0["object"] == "dataset/churn" })
                #expect(churn["drift"] == "modified")
                #expect(churn["fields"]?.arrayValue?.first?["path"] == "/spec/owner")
                #expect(churn["fields"]?.arrayValue?.first?["desired"] == "growth-analytics@example.com")
                #expect(churn["fields"]?.arrayValue?.first?["live"] == "rogue@example.com")
                #expect(churn["changedBy"]?["actor"]?.stringValue == subject)
                #expect(churn["changedBy"]?["time"]?.stringValue?.hasPrefix("20") == true)
                #expect(churn["changedBy"]?["requestId"]?.stringValue?.isEmpty == false)
                let survey = try #require(objects.first { $0["object"] == "qualityrule/support-tickets-survey" })
                #expect(survey["drift"] == "deleted" && survey["changedBy"]?["action"] == "delete")

                // The same from the repository itself, as text and markdown.
                let fromRepo = try await dpctl(
                    ["drift", "--repo", repository.folder.path, "--path", "examples", "--applyset", "examples"], environment: server.env)
                #expect(
                    fromRepo.status == 1 && fromRepo.stdout.contains("dataset/churn modified") && fromRepo.stdout.contains(subject),
                    "\(fromRepo.stdout)\(fromRepo.stderr)")
                let markdown = try await dpctl(
                    ["drift", "--source", "examples", "--reconciler", reconciler.baseURL, "-o", "markdown"], environment: server.env)
                #expect(
                    markdown.stdout.contains("| `/spec/owner` | growth-analytics@example.com | rogue@example.com |"), "\(markdown.stdout)")

                // The HTML page, opened in headless Chromium.
                let html = try await dpctl(
                    ["drift", "--source", "examples", "--reconciler", reconciler.baseURL, "-o", "html"], environment: server.env)
                #expect(
                    html.stdout.hasPrefix("<!DOCTYPE html>") && !html.stdout.contains("<script") && !html.stdout.contains("http://"),
                    "no scripts, no external assets")
                try await Self.checkInChromium(html.stdout, expecting: [subject, "rogue@example.com", "deleted out of band"])
            } catch {
                await reconciler.stop()
                throw error
            }
            await reconciler.stop()
        }
    }

    /// Renders the page with headless Chromium: a non-empty screenshot, no page errors, the DOM
    /// holds the objects. Skipped (with a note) where Chromium is not installed.
    static func checkInChromium(_ html: String, expecting texts: [String]) async throws {
        guard
            let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            Issue.record("chromium is not installed (scripts/lib/packages.sh installs it)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drift-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("report.html"), shot = folder.appendingPathComponent("report.png")
        try html.write(to: page, atomically: true, encoding: .utf8)
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(folder.path)/profile", "--enable-logging=stderr", "--v=0",
        ]
        let screenshot = try await dpctlQueue.run {
            try Self.run(chromium, common + ["--screenshot=\(shot.path)", "--window-size=1200,1600", page.absoluteString])
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot of \(size) bytes: \(screenshot.stderr.suffix(2000))")
        let png = try Data(contentsOf: shot).prefix(8)
        #expect(Array(png) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(!screenshot.stderr.contains("Uncaught") && !screenshot.stderr.contains("CONSOLE"), "\(screenshot.stderr.suffix(2000))")
        let dom = try await dpctlQueue.run { try Self.run(chromium, common + ["--dump-dom", page.absoluteString]) }
        #expect(dom.stdout.components(separatedBy: "<article").count - 1 == 2, "\(dom.stdout.prefix(3000))")
        #expect(dom.stdout.contains("class=\"summary\""))
        for text in texts { #expect(dom.stdout.contains(text), "\(text) not in the DOM") }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let result = try Subprocess.run(executable, arguments)
        return (result.stdout, result.stderr)
    }
}

@Suite struct DriftBadInputTests {
    @Test func badInputIsNamed() async throws {
        let cases: [([String], String)] = [
            (["drift"], "give the desired state once"),
            (["drift", "-f", "examples", "--repo", "."], "give the desired state once"),
            (["drift", "--repo", ".", "--mode", "fix"], "--mode \"fix\" is not one of report, heal, ignore"),
            (["drift", "--repo", ".", "-o", "pdf"], "'pdf'"),
            (["drift", "--repo", "/nonexistent/repo"], "/nonexistent/repo does not exist"),
            (["drift", "--repo", FileManager.default.temporaryDirectory.path], "is not a git repository"),
            (["drift", "--source", "examples", "--reconciler", "http://127.0.0.1:1"], "cannot reach the reconciler"),
            (["drift", "--repo", ".", "--applyset", "Not_A_Name"], "--applyset \"Not_A_Name\""),
            (["reconcile", "--repo", "file:///x", "--drift", "sometimes", "--database-url", "postgres://x"], "--drift \"sometimes\""),
        ]
        for (arguments, message) in cases {
            let result = try await dpctl(arguments, environment: ["DATAPILOT_SERVER": "http://127.0.0.1:1", "DATAPILOT_TOKEN": "x"])
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        try await withServer { server in
            let bad = try await server.request("GET", "/api/audit/events?order=sideways")
            #expect(bad.status == 400 && bad.text.contains("order must be asc"))
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            _ = try await server.request(
                "PUT", "/api/datasets/churn", json: dataset("churn", format: "jsonl"),
                headers: [("X-DataPilot-Source-Tool", "dpctl reconcile")])
            let newest = try await server.request("GET", "/api/audit/events?resource=dataset/churn&order=desc&page_size=1").json
            #expect(newest["items"]?[0]?["action"] == "update")
            let human = try await server.request(
                "GET", "/api/audit/events?resource=dataset/churn&order=desc&page_size=1&exclude_tool=dpctl%20reconcile"
            ).json
            #expect(human["items"]?[0]?["action"] == "create", "\(human)")
            let event = try await server.request(
                "POST", "/api/audit/drift", json: #"{"source": "s", "event": "guessed", "object": "dataset/churn", "drift": "modified"}"#)
            #expect(event.status == 422 && event.text.contains("event: one of detected, healed"))
        }
    }
}
