import Curl
import Foundation
import Manifests
import Testing

/// The UI's pages over plain HTTP with a session cookie (the browser test drives the same pages
/// in Chromium): the overview's counts, an audit event's change side by side, the audit time
/// filters, the whole-chain check on demand, downloads streamed through the UI, and run.log.
@Suite struct UIPageTests {
    func upload(_ server: TestServer, _ version: String, _ bytes: [UInt8]) async throws {
        let response = try await server.request("POST", "/api/datasets/churn/versions/upload?name=\(version)", body: .bytes(bytes))
        #expect(response.status == 201, "\(response.text)")
    }

    /// The text inside the element with `id`, up to its closing tag (the pages are server-rendered).
    func element(_ id: String, in page: String) -> String {
        guard let start = page.range(of: "id=\"\(id)\"") else { return "" }
        let rest = page[start.upperBound...]
        return String(rest.prefix(while: { $0 != "\n" }))
    }

    /// From the heading `title` to the next heading.
    func section(_ title: String, in page: String) -> String {
        guard let start = page.range(of: "<h2>\(title)</h2>") else { return "" }
        let rest = page[start.upperBound...]
        return String(rest[..<(rest.range(of: "<h2>")?.lowerBound ?? rest.endIndex)])
    }

    @Test func theOverviewShowsWhatNeedsALook() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            try await upload(server, "churn-1", Array("id\n1\n".utf8))
            try await upload(server, "churn-2", Array("id\n2\n".utf8))
            let quarantine = try await server.request(
                "POST", "/api/datasetversions/churn-2/admission", json: #"{"state": "Quarantined", "reason": "bad export from crm"}"#)
            #expect(quarantine.status == 200, "\(quarantine.text)")
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            for name in ["r-live", "r-waiting"] {
                #expect(try await server.request("POST", "/api/runs", json: run(name, experiment: "churn-model")).status == 201)
            }
            #expect(try await server.request("PUT", "/api/experiment-runs/r-live/state", json: #"{"state": "RUNNING"}"#).status == 200)
            let signed = try await server.request("POST", "/api/audit/checkpoints")
            #expect(signed.status == 201 || signed.status == 200, "\(signed.text)")

            let viewer = try await UISession.signIn(server, key: try await server.key(role: "viewer"))
            let page = try await viewer.get("/ui/")
            #expect(page.status == 200, "\(page.text.prefix(2000))")
            let html = page.text
            #expect(element("count-quarantined", in: html).contains(">1<"), "\(element("count-quarantined", in: html))")
            #expect(element("count-running", in: html).contains(">1<"), "\(element("count-running", in: html))")
            #expect(element("count-queued", in: html).contains(">1<"), "\(element("count-queued", in: html))")
            #expect(element("count-drifted", in: html).contains(">0<"), "\(element("count-drifted", in: html))")
            let quarantined = section("Quarantined versions", in: html)
            #expect(quarantined.contains("href=\"/ui/datasets/churn/versions/churn-2\"") && quarantined.contains("bad export from crm"))
            #expect(!quarantined.contains("churn-1"), "only the quarantined version is listed: \(quarantined)")
            let running = section("Runs in progress", in: html)
            #expect(running.contains("href=\"/ui/runs/r-live\"") && !running.contains("r-waiting"), "\(running)")
            #expect(element("chain-scope", in: html).contains("since the last signed checkpoint"), "\(element("chain-scope", in: html))")
            #expect(element("chain-status", in: html).contains("valid"))
            #expect(html.contains("href=\"/ui/audit/verify\""))
            // No reconciler behind this gateway: the sources come from the audit log (none yet), said so.
            #expect(html.contains("No source has reported a sync."), "\(html.prefix(4000))")

            let whole = try await viewer.get("/ui/audit/verify")
            #expect(whole.status == 200 && element("chain-scope", in: whole.text).contains("every entry from the first"))
            #expect(element("chain-status", in: whole.text).contains("valid"), "\(whole.text.prefix(3000))")
        }
    }

    @Test func anAuditEventShowsItsChangeSideBySide() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            try await server.rewrite("/api/datasets/churn", "growth@example.com", "ml-platform@example.com", key: TestServer.adminKey)
            let events = try await server.auditEvents("&resource=dataset/churn&action=update")
            let sequence = try #require(events.last?["sequence"]?.numberValue.map { Int($0) })
            let session = try await UISession.signIn(server, key: TestServer.adminKey)
            let page = try await session.get("/ui/audit/\(sequence)")
            #expect(page.status == 200, "\(page.text.prefix(2000))")
            let row = try #require(
                page.text.components(separatedBy: "<tr>").first { $0.contains("<code>spec.owner</code>") }, "\(page.text)")
            let before = try #require(row.range(of: "growth@example.com")), after = try #require(row.range(of: "ml-platform@example.com"))
            #expect(before.lowerBound < after.lowerBound && row.contains("changed"), "before, then after: \(row)")
            #expect(page.text.contains("href=\"/ui/audit/\(sequence - 1)\""), "a link to the previous event")
            let head = try #require(try await server.auditEvents().last?["sequence"]?.numberValue.map { Int($0) })
            #expect(!(try await session.get("/ui/audit/\(head)")).text.contains("Next event"), "no link past the head")
            #expect(try await session.get("/ui/audit/\(head - 1)").text.contains("href=\"/ui/audit/\(head)\""), "a link to the next")
            let list = try await session.get("/ui/audit?resource=dataset%2Fchurn")
            #expect(list.text.contains("href=\"/ui/audit/\(sequence)\""), "the list links each event to its page")

            for (path, status) in [("/ui/audit/abc", 404), ("/ui/audit/0", 404), ("/ui/audit/99999999", 404)] {
                let missing = try await session.get(path)
                #expect(missing.status == status, "\(path): \(missing.status)")
            }
        }
    }

    /// The time filters: UTC times in the forms people type; anything else is named and lists nothing.
    @Test func auditTimeFiltersNarrowAndBadTimesAreNamed() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let session = try await UISession.signIn(server, key: TestServer.adminKey)
            let all = try await session.get("/ui/audit?since=2000-01-01&until=2999-01-01T00:00")
            #expect(all.status == 200 && all.text.contains("dataset/churn"), "\(all.text.prefix(3000))")
            let none = try await session.get("/ui/audit?since=2999-01-01T00%3A00%3A00Z")
            #expect(none.text.contains("No audit events match.") && !none.text.contains(">dataset/churn<"), "\(none.text.prefix(3000))")
            #expect(none.text.contains("value=\"2999-01-01T00:00:00Z\""), "the form keeps what was typed")
            for (query, named) in [
                ("since=yesterday", "From: “yesterday”"), ("since=2026-13-01", "From: “2026-13-01”"),
                ("until=2026-11-30T25%3A00", "Until: “2026-11-30T25:00”"), ("until=2026-11-30T18%3A00%2B5", "Until: “2026-11-30T18:00+5”"),
            ] {
                let page = try await session.get("/ui/audit?\(query)")
                #expect(page.status == 200, "\(query)")
                #expect(page.text.contains(named) && page.text.contains("is not a time"), "\(query): \(page.text.prefix(3000))")
                #expect(page.text.contains("No audit events match."), "a bad time lists nothing rather than everything: \(query)")
            }
        }
    }

    /// A version and an artifact downloaded through the UI: the same bytes, streamed, for a viewer too.
    @Test func downloadsStreamThroughTheUI() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            var generator = SystemRandomNumberGenerator()
            let content = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try await upload(server, "churn-big", content)
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            #expect(try await server.request("POST", "/api/runs", json: run("r1", experiment: "churn-model")).status == 201)
            let model = Array("weights".utf8) + Array(content.prefix(100_000))
            let stored = try await server.request("PUT", "/api/experiment-runs/r1/artifacts/model.bin", body: .bytes(model))
            #expect(stored.status == 201, "\(stored.text)")

            let viewer = try await UISession.signIn(server, key: try await server.key(role: "viewer"))
            let version = try await viewer.get("/ui/datasets/churn/versions/churn-big/download")
            #expect(version.status == 200 && version.body == content, "\(version.status) \(version.body.count) bytes")
            #expect(version.header("Content-Length") == String(content.count))
            #expect(version.header("Content-Disposition") == "attachment; filename=\"churn-big\"")
            #expect(version.header("X-Content-Type-Options") == "nosniff")
            let artifact = try await viewer.get("/ui/runs/r1/artifacts/model.bin")
            #expect(artifact.status == 200 && artifact.body == model, "\(artifact.status) \(artifact.text.prefix(500))")
            let page = try await viewer.get("/ui/datasets/churn/versions/churn-big")
            #expect(page.text.contains("href=\"/ui/datasets/churn/versions/churn-big/download\""))
            #expect(try await viewer.get("/ui/runs/r1").text.contains("href=\"/ui/runs/r1/artifacts/model.bin\""))

            let anonymous = try await server.request("GET", "/ui/datasets/churn/versions/churn-big/download", key: nil)
            #expect(anonymous.status == 303 && anonymous.header("Location") == "/ui/sign-in", "not signed in: \(anonymous.status)")
            for path in ["/ui/datasets/churn/versions/no-such/download", "/ui/runs/r1/artifacts/no-such", "/ui/runs/no-such/artifacts/x"] {
                let missing = try await viewer.get(path)
                #expect(missing.status == 404, "\(path): \(missing.status) \(missing.text.prefix(300))")
            }
        }
    }

    /// An evaluation's full report through the UI, the same bytes as the API's; none before it finished.
    @Test func anEvaluationsReportDownloads() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(try await server.request("POST", "/api/qualityrules", json: qualityRule("churn-rows", dataset: "churn")).status == 201)
            try await upload(server, "churn-1", Array("id\n1\n2\n".utf8))
            let done = try await server.request("POST", "/api/evaluations?wait=120s", json: #"{"datasetVersion": "churn-1"}"#)
            #expect(done.status == 201, "\(done.text)")
            let id = try #require(done.json["id"]?.stringValue)
            let session = try await UISession.signIn(server, key: try await server.key(role: "viewer"))
            let page = try await session.get("/ui/evaluations/\(id)")
            #expect(page.text.contains("href=\"/ui/evaluations/\(id)/report\""), "\(page.text.prefix(3000))")
            let report = try await session.get("/ui/evaluations/\(id)/report")
            let api = try await server.request("GET", "/api/evaluations/\(id)/report")
            #expect(report.status == 200 && report.body == api.body && !api.body.isEmpty, "\(report.status) \(report.text.prefix(300))")
            #expect(report.header("Content-Disposition") == "attachment; filename=\"evaluation-\(id)-report.json\"")
            #expect(try await session.get("/ui/evaluations/no-such/report").status == 404)
        }
    }

    /// The runs list: each run's state, latest metrics and how long it has run.
    @Test func theRunsListShowsMetricsAndDuration() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            for name in ["r1", "r2"] {
                #expect(try await server.request("POST", "/api/runs", json: run(name, experiment: "churn-model")).status == 201)
            }
            #expect(try await server.request("PUT", "/api/experiment-runs/r1/state", json: #"{"state": "RUNNING"}"#).status == 200)
            let metrics = try await server.request(
                "POST", "/api/experiment-runs/r1/metrics",
                json: #"{"metrics": [{"key": "loss", "value": 0.4, "step": 1, "timestamp": 1764180000000}, "#
                    + #"{"key": "auc", "value": 0.81, "step": 1, "timestamp": 1764180000000}]}"#)
            #expect(metrics.status == 200, "\(metrics.text)")
            let session = try await UISession.signIn(server, key: TestServer.adminKey)
            let page = try await session.get("/ui/runs")
            let rows = page.text.components(separatedBy: "<tr>")
            let first = try #require(rows.first { $0.contains("href=\"/ui/runs/r1\"") }, "\(page.text.prefix(3000))")
            #expect(first.contains("auc=0.81, loss=0.4") && first.contains(" so far<"), "\(first)")
            let second = try #require(rows.first { $0.contains("href=\"/ui/runs/r2\"") })
            #expect(second.contains("QUEUED") && second.contains("<td>—</td><td>—</td>"), "no metrics, not started: \(second)")
            #expect(page.text.contains("<th scope=\"col\">Metrics</th><th scope=\"col\">Duration</th>"))
        }
    }

    /// An experiment's page compares its runs by its objective, the best marked, filtered by state.
    @Test func anExperimentComparesItsRunsByItsObjective() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            for (name, auc) in [("r1", 0.7), ("r2", 0.85), ("r3", nil)] as [(String, Double?)] {
                #expect(try await server.request("POST", "/api/runs", json: run(name, experiment: "churn-model")).status == 201)
                guard let auc else { continue }
                let reported = try await server.request(
                    "POST", "/api/experiment-runs/\(name)/metrics",
                    json: #"{"metrics": [{"key": "auc", "value": \#(auc), "step": 1, "timestamp": 1764180000000}]}"#)
                #expect(reported.status == 200, "\(reported.text)")
            }
            #expect(try await server.request("PUT", "/api/experiment-runs/r1/state", json: #"{"state": "RUNNING"}"#).status == 200)
            let session = try await UISession.signIn(server, key: try await server.key(role: "viewer"))
            let list = try await session.get("/ui/experiments")
            #expect(
                list.text.contains("href=\"/ui/experiments/churn-model\"") && list.text.contains("auc (maximize)"),
                "\(list.text.prefix(3000))")
            let page = try await session.get("/ui/experiments/churn-model")
            let rows = page.text.components(separatedBy: "<tr>")
            let best = try #require(rows.first { $0.contains("href=\"/ui/runs/r2\"") }, "\(page.text.prefix(4000))")
            #expect(best.contains("<strong>0.85</strong> (best)"), "\(best)")
            #expect(rows.first { $0.contains("href=\"/ui/runs/r1\"") }?.contains("(best)") == false)
            #expect(rows.first { $0.contains("href=\"/ui/runs/r3\"") }?.contains("<td>—</td>") == true)
            let running = try await session.get("/ui/experiments/churn-model?state=RUNNING")
            #expect(
                running.text.contains("href=\"/ui/runs/r1\"") && !running.text.contains("href=\"/ui/runs/r2\""),
                "\(running.text.suffix(3000))")
            #expect(running.text.contains("<option value=\"RUNNING\" selected>"))
            #expect(try await session.get("/ui/experiments/no-such").status == 404)
            #expect(try await session.get("/ui/runs").text.contains("href=\"/ui/experiments/churn-model\""), "runs link their experiment")
        }
    }

    /// The end of run.log on the run page, whole lines, and all of it through the download.
    @Test func theRunPageShowsTheEndOfRunLog() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            let executor = try await server.key(role: "executor")
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let body = #"""
                {"metadata": {"name": "r-log"}, "spec": {"experiment": "churn-model",
                 "command": ["/bin/sh", "-c", "i=1; while [ $i -le 6000 ]; do echo \"line $i of the log\"; i=$((i+1)); done"], "execute": true}}
                """#
            let created = try await server.request("POST", "/api/runs", json: body, key: executor)
            #expect(created.status == 201, "\(created.text)")
            var state = ""
            let finished = try await eventually(120) {
                state = try await server.request("GET", "/api/experiment-runs/r-log").json["status"]?["state"]?.stringValue ?? ""
                return state == "SUCCEEDED" || state == "FAILED"
            }
            #expect(finished && state == "SUCCEEDED", "\(state)")
            let session = try await UISession.signIn(server, key: TestServer.adminKey)
            let page = try await session.get("/ui/runs/r-log")
            #expect(page.status == 200)
            #expect(page.text.contains("line 6000 of the log") && !page.text.contains(">line 1 of the log"), "\(page.text.suffix(3000))")
            #expect(page.text.contains("(32768 bytes) of"), "the last 32 KiB: \(page.text.suffix(3000))")
            let log = try #require(page.text.components(separatedBy: "id=\"run-log\"").last)
            let firstLine = try #require(log.split(separator: "\n").first.map(String.init))
            #expect(firstLine.hasSuffix("of the log") && firstLine.contains(">line "), "starts at a whole line: \(firstLine)")
            let whole = try await session.get("/ui/runs/r-log/artifacts/run.log")
            #expect(whole.text.hasPrefix("line 1 of the log\n") && whole.text.contains("line 6000 of the log"), "\(whole.text.prefix(200))")
        }
    }
}
