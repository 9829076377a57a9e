import Foundation
import Manifests
import TestSupport
import Testing

/// `dpctl plan` on rule changes and URL versions, against a real server, Postgres and git: a
/// changed rule runs on its dataset's live version through the server's dry run, a version
/// given by URL is fetched (within the allowlist) and evaluated, and Parquet is refused.
@Suite struct PlanRuleImpactTests {
    /// Serves the files of a folder over loopback; its first line is the port.
    static let fileServer = #"""
        import functools, http.server, sys
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// The live state: the examples, applied so that churn-2026-10 is churn's newest version
    /// (stored after churn-2026-09), and Dataset invoices with no version at all.
    static func applyExamples(_ repository: TestRepository, to server: TestServer) async throws {
        let root = repository.file("examples").path
        let versions = repository.file("examples/versions/churn.yaml")
        let both = try String(contentsOf: versions, encoding: .utf8)
        let first = try #require(both.components(separatedBy: "\n---\n").first)
        try first.write(to: versions, atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(at: repository.file("examples/experiments/runs.yaml"), to: repository.file("runs.yaml"))
        let september = try await dpctl(["apply", "-f", root, "-R", "--root", root], environment: server.env)
        #expect(september.status == 0, "\(september.stdout)\(september.stderr)")
        try await repository.git("checkout", "--", "examples")
        try FileManager.default.removeItem(at: repository.file("runs.yaml"))
        let october = try await dpctl(["apply", "-f", root, "-R", "--root", root], environment: server.env)
        #expect(october.status == 0, "\(october.stdout)\(october.stderr)")
        let invoices = try await server.request(
            "POST", "/api/datasets",
            json:
                #"{"apiVersion": "datapilot.io/v1alpha1", "kind": "Dataset", "metadata": {"name": "invoices"}, "spec": {"owner": "billing@example.com", "format": "csv"}}"#
        )
        #expect(invoices.status == 201, "\(invoices.text)")
    }

    @Test func thePlanShowsWhatARuleChangeDoesToTheLiveVersionAndFetchesURLVersions() async throws {
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        let base = try await repository.git("rev-parse", "HEAD")
        let served = FileManager.default.temporaryDirectory.appendingPathComponent("served-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: served) }
        try FileManager.default.copyItem(
            at: repository.file("examples/data/support-tickets-2026-10.jsonl"), to: served.appendingPathComponent("tickets-11.jsonl"))
        let digest = try await Subprocess.run("sha256sum", [served.appendingPathComponent("tickets-11.jsonl").path])
        let sha256 = String(digest.stdout.prefix(64))
        let files = try await Peer.python("the URL versions' host", Self.fileServer, [served.path])
        defer { files.stop() }

        try await withServer { server in
            try await Self.applyExamples(repository, to: server)
            // Tightened: three checks that churn-2026-10 passes today fail with the new bounds.
            try edit(repository.file("examples/quality/churn-hygiene.yaml"), "min: 300, max: 10000000", "min: 1000000, max: 10000000")
            try edit(repository.file("examples/quality/churn-hygiene.yaml"), "values: [free, pro, enterprise]", "values: [free, pro]")
            try edit(
                repository.file("examples/quality/churn-hygiene.yaml"), "min: 0, max: 600, threshold: 0", "min: 0, max: 1, threshold: 0")
            try """
            apiVersion: datapilot.io/v1alpha1
            kind: QualityRule
            metadata: {name: churn-not-empty}
            spec:
              dataset: churn
              severity: fail
              checks:
                - name: some-rows
                  rowCount: {min: 1}
            ---
            apiVersion: datapilot.io/v1alpha1
            kind: QualityRule
            metadata: {name: invoices-not-empty}
            spec:
              dataset: invoices
              severity: fail
              checks:
                - name: some-rows
                  rowCount: {min: 1}
            ---
            apiVersion: datapilot.io/v1alpha1
            kind: DatasetVersion
            metadata: {name: support-tickets-2026-11}
            spec:
              dataset: support-tickets
              source:
                url: http://127.0.0.1:\(files.port)/tickets-11.jsonl
                sha256: \(sha256)
            ---
            apiVersion: datapilot.io/v1alpha1
            kind: DatasetVersion
            metadata: {name: support-tickets-2026-12}
            spec:
              dataset: support-tickets
              source:
                url: http://169.254.169.254/latest/tickets-12.jsonl
                sha256: \(String(repeating: "ab", count: 32))
            ---
            apiVersion: datapilot.io/v1alpha1
            kind: DatasetVersion
            metadata: {name: support-tickets-2026-13}
            spec:
              dataset: support-tickets
              source:
                url: http://127.0.0.1:\(files.port)/tickets-11.jsonl
                sha256: \(String(repeating: "cd", count: 32))
            ---
            apiVersion: datapilot.io/v1alpha1
            kind: DatasetVersion
            metadata: {name: support-tickets-2026-14}
            spec:
              dataset: support-tickets
              source:
                url: http://127.0.0.1:\(files.port)/missing.jsonl
                sha256: \(String(repeating: "ef", count: 32))
            """.write(to: repository.file("examples/quality/more.yaml"), atomically: true, encoding: .utf8)
            let head = try await repository.commit("Tighter churn rules, new rules, November and December tickets by URL")

            let arguments = [
                "plan", "--repo", repository.folder.path, "--base", base, "--head", head, "--path", "examples",
                "--server", server.baseURL, "--external-url-allow", "http://127.0.0.1:\(files.port)",
            ]
            let json = try await dpctl(arguments + ["-o", "json"], environment: server.env)
            #expect(json.status == 2, "\(json.stdout)\(json.stderr)")
            let report = try #require(try? JSONText.parse(Array(json.stdout.utf8)).get(), "\(json.stdout)\(json.stderr)")
            var objects: [String: JSONValue] = [:]
            for object in report["objects"]?.arrayValue ?? [] { objects[object["object"]?.stringValue ?? ""] = object }
            func codes(_ name: String) -> [String] { (objects[name]?["findings"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue } }
            func messages(_ name: String) -> String {
                (objects[name]?["findings"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }.joined(separator: "\n")
            }

            // The tightened rule names the live version it would quarantine and its failing checks.
            let tightened = objects["qualityrule/churn-hygiene"]?["quality"]
            #expect(tightened?["liveVersion"] == "churn-2026-10", "\(json.stdout)")
            #expect(codes("qualityrule/churn-hygiene") == ["ruleWouldQuarantine"], "\(json.stdout)")
            #expect(
                messages("qualityrule/churn-hygiene").contains(
                    "this rule would quarantine churn-2026-10: 3 checks fail (enough-rows, known-plans, tenure-in-range)"),
                "\(json.stdout)")
            let failed = (tightened?["checks"]?.arrayValue ?? []).filter { $0["outcome"] == "FAILED" }.compactMap {
                $0["check"]?.stringValue
            }
            #expect(Set(failed) == ["enough-rows", "known-plans", "tenure-in-range"], "\(json.stdout)")

            // A new rule that the live version passes says so; a rule for a dataset without versions says that.
            let passing = objects["qualityrule/churn-not-empty"]?["quality"]
            #expect(passing?["evaluated"] == true && passing?["liveVersion"] == "churn-2026-10", "\(json.stdout)")
            #expect(passing?["note"] == "this rule passes on the live version churn-2026-10: 1 check passes", "\(json.stdout)")
            #expect(codes("qualityrule/churn-not-empty").isEmpty)
            let empty = objects["qualityrule/invoices-not-empty"]?["quality"]
            #expect(empty?["evaluated"] == false, "\(json.stdout)")
            #expect(empty?["note"]?.stringValue?.contains("Dataset \"invoices\" has no versions on the server") == true, "\(json.stdout)")

            // The URL version was fetched from the allowed host and evaluated with support-tickets' rules.
            let fetched = objects["datasetversion/support-tickets-2026-11"]?["quality"]
            #expect(fetched?["evaluated"] == true, "\(json.stdout)")
            #expect(
                fetched?["note"]?.stringValue == "fetched from http://127.0.0.1:\(files.port)/tickets-11.jsonl, sha256 checked",
                "\(json.stdout)")
            #expect((fetched?["checks"]?.arrayValue ?? []).count > 3, "\(json.stdout)")
            #expect((fetched?["checks"]?.arrayValue ?? []).allSatisfy { $0["outcome"] != "ERROR" }, "\(json.stdout)")
            // The one outside the allowlist was not fetched: a blocking finding naming why.
            #expect(codes("datasetversion/support-tickets-2026-12") == ["urlNotAllowed"], "\(json.stdout)")
            #expect(
                messages("datasetversion/support-tickets-2026-12").contains("a cloud metadata address (169.254.169.254)"), "\(json.stdout)")
            #expect(objects["datasetversion/support-tickets-2026-12"]?["quality"]?["evaluated"] == false)
            // Served data that is not what the version pins blocks; a URL that answers 404 is not evaluated, and says so.
            #expect(codes("datasetversion/support-tickets-2026-13") == ["quality"], "\(json.stdout)")
            #expect(
                objects["datasetversion/support-tickets-2026-13"]?["findings"]?[0]?["blocking"] == true
                    && messages("datasetversion/support-tickets-2026-13").contains("the URL serves other data than the version pins"),
                "\(json.stdout)")
            #expect(objects["datasetversion/support-tickets-2026-14"]?["findings"]?[0]?["blocking"] == false, "\(json.stdout)")
            #expect(messages("datasetversion/support-tickets-2026-14").contains("the server answered HTTP 404"), "\(json.stdout)")

            // The same in the PR comment, the text, SARIF and JUnit.
            let markdown = try await dpctl(arguments + ["-o", "markdown"], environment: server.env)
            #expect(markdown.stdout.contains("this rule would quarantine churn-2026-10: 3 checks fail"), "\(markdown.stdout)")
            #expect(markdown.stdout.contains("is not allowed"), "\(markdown.stdout)")
            #expect(
                markdown.stdout.contains("Quality: this rule passes on the live version churn-2026-10: 1 check passes"),
                "\(markdown.stdout)")
            let text = try await dpctl(arguments, environment: server.env)
            #expect(text.stdout.contains("blocking: qualityrule/churn-hygiene: this rule would quarantine churn-2026-10"), "\(text.stdout)")
            #expect(text.stdout.contains("quality: this rule passes on the live version churn-2026-10"), "\(text.stdout)")
            let sarif = try await dpctl(arguments + ["-o", "sarif"], environment: server.env)
            let results = (try? JSONText.parse(Array(sarif.stdout.utf8)).get())?["runs"]?[0]?["results"]?.arrayValue ?? []
            let quarantine = try #require(results.first { $0["ruleId"] == "ruleWouldQuarantine" }, "\(sarif.stdout)")
            #expect(quarantine["level"] == "error")
            #expect(
                quarantine["locations"]?[0]?["physicalLocation"]?["artifactLocation"]?["uri"] == "examples/quality/churn-hygiene.yaml",
                "\(quarantine)")
            #expect(results.contains { $0["ruleId"] == "urlNotAllowed" }, "\(sarif.stdout)")
            let junit = try await dpctl(arguments + ["-o", "junit"], environment: server.env)
            #expect(junit.stdout.contains(#"<failure type="ruleWouldQuarantine""#), "\(junit.stdout)")

            // The dry runs left nothing behind: no evaluation of a rule that was never applied.
            let evaluations = try await server.request("GET", "/api/evaluations?dataset=churn").json["items"]?.arrayValue ?? []
            #expect(!evaluations.contains { ($0["rules"]?.arrayValue ?? []).contains { $0["name"] == "churn-not-empty" } })
            #expect(try await server.request("GET", "/api/qualityrules/churn-not-empty").status == 404)
        }
    }

    /// Parquet is refused where a rule would have to evaluate it: by dpctl validate (naming the
    /// file and what to do), and by the server on apply and in a dry run.
    @Test func aRuleThatWouldHaveToReadParquetIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rule = """
            apiVersion: datapilot.io/v1alpha1
            kind: QualityRule
            metadata: {name: events-not-empty}
            spec:
              dataset: product-events
              severity: fail
              checks:
                - name: some-rows
                  rowCount: {min: 1}
            """
        try """
        apiVersion: datapilot.io/v1alpha1
        kind: Dataset
        metadata: {name: product-events}
        spec: {owner: growth@example.com, format: parquet}
        ---
        \(rule)
        """.write(to: folder.appendingPathComponent("events.yaml"), atomically: true, encoding: .utf8)
        let validate = try await dpctl(["validate", "-f", folder.path], environment: [:])
        #expect(validate.status == 1)
        #expect(validate.stderr.contains("events.yaml:10:12: error: spec.dataset: Dataset \"product-events\" ("), "\(validate.stderr)")
        #expect(
            validate.stderr.contains("events.yaml:3:18) is Parquet (spec.format: parquet); quality rules cannot evaluate Parquet"),
            "\(validate.stderr)")
        #expect(validate.stderr.contains("store the dataset's versions as csv or jsonl, or remove the rule"), "\(validate.stderr)")

        // A CSV dataset whose new version is a Parquet file: refused on the version's source, naming the file.
        try "PAR1".write(to: folder.appendingPathComponent("part-0.parquet"), atomically: true, encoding: .utf8)
        try """
        apiVersion: datapilot.io/v1alpha1
        kind: Dataset
        metadata: {name: product-events}
        spec: {owner: growth@example.com, format: csv}
        ---
        apiVersion: datapilot.io/v1alpha1
        kind: DatasetVersion
        metadata: {name: product-events-1}
        spec:
          dataset: product-events
          source: {path: part-0.parquet}
        ---
        \(rule)
        """.write(to: folder.appendingPathComponent("events.yaml"), atomically: true, encoding: .utf8)
        let version = try await dpctl(["validate", "-f", folder.path], environment: [:])
        #expect(version.status == 1)
        #expect(
            version.stderr.contains(
                "events.yaml:11:18: error: spec.source.path: \"part-0.parquet\" is a Parquet file and QualityRule \"events-not-empty\""),
            "\(version.stderr)")

        // The server refuses the rule on apply and in a dry run, naming spec.dataset.
        try await withServer { server in
            let events = try await server.request(
                "POST", "/api/datasets",
                json:
                    #"{"apiVersion": "datapilot.io/v1alpha1", "kind": "Dataset", "metadata": {"name": "product-events"}, "spec": {"owner": "growth@example.com", "format": "parquet"}}"#
            )
            #expect(events.status == 201, "\(events.text)")
            let body =
                #"{"apiVersion": "datapilot.io/v1alpha1", "kind": "QualityRule", "metadata": {"name": "events-not-empty"}, "spec": {"dataset": "product-events", "severity": "fail", "checks": [{"name": "some-rows", "rowCount": {"min": 1}}]}}"#
            for path in ["/api/qualityrules", "/api/evaluations/dry-run"] {
                let refused = try await server.request("POST", path, json: body)
                #expect(refused.status == 422, "\(path): \(refused.text)")
                #expect(refused.json["errors"]?[0]?["path"] == "spec.dataset", "\(path): \(refused.text)")
                #expect(refused.json["errors"]?[0]?["code"] == "unsupported-format", "\(path): \(refused.text)")
                #expect(refused.text.contains("is Parquet"), "\(path): \(refused.text)")
            }
            #expect(try await server.request("GET", "/api/qualityrules/events-not-empty").status == 404)

            // A CSV dataset: a Parquet file registered after its rule is refused on the version's
            // URL; a rule written after a Parquet version is refused on spec.dataset, naming it.
            #expect(try await server.request("POST", "/api/datasets", json: dataset("clicks")).status == 201)
            #expect(
                try await server.request("POST", "/api/qualityrules", json: qualityRule("clicks-rows", dataset: "clicks")).status == 201)
            let parquetURL = "https://data.example.com/clicks/part-0.parquet"
            let late = try await server.request(
                "POST", "/api/datasets/clicks/versions", json: externalVersion("clicks-1", dataset: "clicks", url: parquetURL))
            #expect(late.status == 422, "\(late.text)")
            #expect(late.json["errors"]?[0]?["path"] == "spec.source.url" && late.json["errors"]?[0]?["code"] == "unsupported-format")
            #expect(late.json["detail"]?.stringValue?.contains("QualityRule \"clicks-rows\"") == true, "\(late.text)")
            #expect(try await server.request("POST", "/api/datasets", json: dataset("views")).status == 201)
            let stored = try await server.request(
                "POST", "/api/datasets/views/versions", json: externalVersion("views-1", dataset: "views", url: parquetURL))
            #expect(stored.status == 201, "no rule checks views yet: \(stored.text)")
            let early = try await server.request("POST", "/api/qualityrules", json: qualityRule("views-rows", dataset: "views"))
            #expect(early.status == 422, "\(early.text)")
            #expect(early.json["errors"]?[0]?["path"] == "spec.dataset", "\(early.text)")
            #expect(
                early.json["detail"]?.stringValue?.contains("DatasetVersion \"views-1\" of Dataset \"views\" holds") == true,
                "\(early.text)")
        }
    }
}
