import Blocking
import Crypto
import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

/// Python with openlineage-python and jsonschema, from the venv `scripts/openlineage-python.sh` keeps.
enum OpenLineagePython {
    static let queue = BlockingQueue(concurrentLabel: "datapilot.tests.openlineage")

    static func run(_ script: String, _ arguments: [String]) async throws -> ProcessResult {
        try await queue.run {
            try Subprocess.run(
                repositoryRoot.appendingPathComponent("scripts/openlineage-python.sh").path,
                [repositoryRoot.appendingPathComponent(script).path] + arguments, timeout: .seconds(600))
        }
    }

    /// The JSON lines of a file (missing: none).
    static func lines(_ path: String) -> [JSONValue] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard case .success(let value) = JSONText.parse(String(line)) else { return nil }
            return value
        }
    }
}

/// Issue 20, item 2: OpenLineage out (run events of runs, evaluations and syncs, to an HTTP
/// collector and a JSON-lines file, checked against the OpenLineage JSON Schema and facet
/// schemas) and in (`POST /api/v1/lineage`, fed by the openlineage-python client).
@Suite("OpenLineage") struct OpenLineageTests {
    static let commit = "3f2c1ab9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f"
    static let repository = "https://git.example.com/ml/churn.git"
    static let schemaDataset = #"""
        {"metadata": {"name": "churn"}, "spec": {"owner": "growth@example.com", "format": "csv",
          "schema": {"columns": [{"name": "id", "type": "integer"}, {"name": "plan", "type": "string", "description": "billing plan"}]}}}
        """#
    static let rule = #"""
        {"metadata": {"name": "churn-rows"}, "spec": {"dataset": "churn", "severity": "fail", "checks": [
          {"name": "enough-rows", "rowCount": {"min": 3}}, {"name": "known-plans", "allowedValues": {"column": "plan", "values": ["free", "pro"]}}]}}
        """#

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("openlineage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Events made while the collector is down wait in the outbox, survive the server being
    /// killed, and reach the collector after the restart, in the order they were made.
    @Test func eventsForADownCollectorSurviveACrash() async throws {
        let scratch = try folder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let received = scratch.appendingPathComponent("received.jsonl").path
        let port = try Loopback.freePort()
        let environment = [
            "DATAPILOT_OPENLINEAGE_URL": "http://127.0.0.1:\(port)/api/v1/lineage", "DATAPILOT_OPENLINEAGE_NAMESPACE": "dp-test",
            "DATAPILOT_OPENLINEAGE_ATTEMPTS": "100",
        ]
        try await withServer(environment: environment) { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            for name in ["r1", "r2"] {
                #expect(try await server.request("POST", "/api/runs", json: run(name, experiment: "churn-model")).status == 201)
                for state in ["RUNNING", "SUCCEEDED"] {
                    let moved = try await server.request("PUT", "/api/experiment-runs/\(name)/state", json: #"{"state": "\#(state)"}"#)
                    #expect(moved.status == 200, "\(moved.text)")
                }
            }
            // Nobody listens on the collector's port: the four events wait in the outbox.
            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            defer { pool.close() }
            let waiting = try await eventually(60) {
                try await pool.withConnection { try $0.query("select count(*) as n from openlineage_outbox").first?.int("n") } == 4
            }
            #expect(waiting, "the events never reached the outbox")
            kill(server.process.processIdentifier, SIGKILL)
            let receiver = try await Peer.start(
                "the OpenLineage receiver", "python3",
                [repositoryRoot.appendingPathComponent("Tests/OpenLineage/receiver.py").path, received, String(port)])
            defer { receiver.stop() }
            _ = try await server.restart(with: environment)
            let delivered = try await eventually(120) {
                OpenLineagePython.lines(received).filter { $0["status"] == 201 }.count == 4
            }
            let requests = OpenLineagePython.lines(received)
            #expect(delivered, "\(requests)")
            let events = requests.filter { $0["status"] == 201 }.compactMap { request -> JSONValue? in
                guard let text = request["body"]?.stringValue, case .success(let value) = JSONText.parse(text) else { return nil }
                return value
            }
            let order = events.map {
                "\($0["run"]?["facets"]?["datapilot"]?["name"]?.stringValue ?? "?") \($0["eventType"]?.stringValue ?? "?")"
            }
            #expect(order == ["r1 START", "r1 COMPLETE", "r2 START", "r2 COMPLETE"], "\(order)")
            // Each row goes once its delivery's transaction commits, just after the collector answered.
            let emptied = try await eventually(60) {
                try await pool.withConnection { try $0.query("select count(*) as n from openlineage_outbox").first?.int("n") } == 0
            }
            #expect(emptied, "the outbox kept delivered events")
        }
    }

    /// Runs, an evaluation and syncs emit START/COMPLETE/FAIL/ABORT events with their datasets
    /// and facets; the HTTP collector gets them after a 503 (retried) with the bearer key, the
    /// file gets them as JSON lines; every event and facet validates against its schema.
    @Test(arguments: ServerMode.allCases)
    func emittedEventsFollowTheSchemasAndReachTheCollectorAndTheFile(_ mode: ServerMode) async throws {
        let scratch = try folder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let received = scratch.appendingPathComponent("received.jsonl").path
        let file = scratch.appendingPathComponent("events.jsonl").path
        let keyFile = scratch.appendingPathComponent("ol-key")
        try Data("ol-secret-key\n".utf8).write(to: keyFile)
        let receiver = try await Peer.start(
            "the OpenLineage receiver", "python3", [repositoryRoot.appendingPathComponent("Tests/OpenLineage/receiver.py").path, received])
        defer { receiver.stop() }
        let environment = [
            "DATAPILOT_OPENLINEAGE_URL": receiver.endpoint + "/api/v1/lineage", "DATAPILOT_OPENLINEAGE_API_KEY_FILE": keyFile.path,
            "DATAPILOT_OPENLINEAGE_FILE": file, "DATAPILOT_OPENLINEAGE_NAMESPACE": "dp-test",
        ]
        try await withServer(mode: mode, environment: environment) { server in
            #expect(try await server.request("POST", "/api/datasets", json: Self.schemaDataset).status == 201)
            #expect(try await server.request("POST", "/api/qualityrules", json: Self.rule).status == 201)
            let upload = try await server.request(
                "POST", "/api/datasets/churn/versions/upload?name=churn-1", body: .bytes(Array("id,plan\n1,free\n2,pro\n3,gold\n".utf8)),
                headers: [("X-DataPilot-Source-Commit", Self.commit), ("X-DataPilot-Source-Repository", Self.repository)])
            #expect(upload.status == 201, "\(upload.text)")
            // The evaluation decides admission: wait for it (a failed check quarantines the version).
            #expect(
                try await eventually(120) {
                    let state = try await server.request("GET", "/api/datasets/churn/versions/churn-1").json["status"]?["admission"]?[
                        "state"]?.stringValue
                    return state == "Quarantined"
                })
            // An evaluation that cannot read its version fails (START, FAIL): the stored object is
            // removed while the workers are held, before one claims the evaluation.
            let hold = try await AdmissionTests.ClaimHold(databaseURL: server.databaseURL)
            let lost = Array("id,plan\n1,free\n".utf8)
            #expect(try await server.request("POST", "/api/datasets/churn/versions/upload?name=churn-2", body: .bytes(lost)).status == 201)
            let objects = server.dataDirectory.appendingPathComponent("objects").path
            let digest = Hex.encode(SHA256.hash(data: lost))
            let stored = try #require(
                FileManager.default.subpaths(atPath: objects)?.first { $0.hasSuffix(digest) }, "the stored object under \(objects)")
            try FileManager.default.removeItem(atPath: objects + "/" + stored)
            try await hold.release()
            #expect(
                try await eventually(120) {
                    try await server.request("GET", "/api/datasets/churn/versions/churn-2").json["status"]?["admission"]?["state"]?
                        .stringValue == "Quarantined"
                })
            #expect(
                try await server.request("POST", "/api/experiments", json: experiment("churn-model", datasets: ["churn"])).status == 201)
            let runs = [("r-ok", "SUCCEEDED"), ("r-bad", "FAILED")]
            for (name, _) in runs + [("r-cancelled", "")] {
                let body = #"""
                    {"metadata": {"name": "\#(name)"}, "spec": {"experiment": "churn-model", "allowUnadmittedInputs": true,
                      "inputs": [{"datasetVersion": "churn-1"}], "code": {"repository": "\#(Self.repository)", "commit": "\#(Self.commit)"}}}
                    """#
                let created = try await server.request("POST", "/api/runs", json: body)
                #expect(created.status == 201, "\(created.text)")
            }
            for (name, end) in runs {
                #expect(try await server.request("PUT", "/api/experiment-runs/\(name)/state", json: #"{"state": "RUNNING"}"#).status == 200)
                let ended = try await server.request(
                    "PUT", "/api/experiment-runs/\(name)/state", json: #"{"state": "\#(end)", "message": "ended \#(end)"}"#)
                #expect(ended.status == 200, "\(ended.text)")
            }
            #expect(try await server.request("POST", "/api/experiment-runs/r-cancelled/cancel").status == 202)
            let uid = try #require(try await server.request("GET", "/api/experiment-runs/r-ok").json["metadata"]?["uid"]?.stringValue)
            for (result, error) in [("synced", ""), ("failed", #", "error": "datasetversion/churn-2: 409 conflict""#)] {
                let sync =
                    #"{"source": "growth", "commit": "\#(Self.commit)", "repository": "\#(Self.repository)", "result": "\#(result)"\#(error)}"#
                #expect(try await server.request("POST", "/api/audit/syncs", json: sync).status == 204)
            }

            // 2 + 2 run events, 1 ABORT, evaluations START + COMPLETE and START + FAIL, 2 syncs: 11.
            #expect(
                try await eventually(120) { OpenLineagePython.lines(file).count >= 11 },
                "\(OpenLineagePython.lines(file).map { "\($0["eventType"]?.stringValue ?? "?") \($0["job"]?["name"]?.stringValue ?? "?")" })"
            )
            #expect(
                try await eventually(120) { OpenLineagePython.lines(received).filter { $0["status"] == 201 }.count >= 11 },
                "\(OpenLineagePython.lines(received).map { $0["status"] ?? .null })")
            let events = OpenLineagePython.lines(file)
            #expect(events.count == 11)

            // Every event against the RunEvent schema, every facet against its own (the datapilot
            // facet's fetched from the server, where its _schemaURL points).
            let check = try await OpenLineagePython.run("Tests/OpenLineage/validate_events.py", [file, "--fetch", "http://127.0.0.1:"])
            #expect(check.status == 0, "\(check.stdout)\n\(check.stderr.suffix(3000))")
            let summary = MLflowPython.output(check)
            #expect(summary["events"] == 11, "\(summary)")
            for (type, count) in [("START", 4), ("COMPLETE", 3), ("FAIL", 3), ("ABORT", 1)] {
                #expect(summary["types"]?[type]?.numberValue == Double(count), "\(type): \(summary)")
            }
            for facet in ["datapilot", "jobType", "schema", "version", "sourceCodeLocation", "errorMessage", "dataQualityAssertions"] {
                #expect((summary["facets"]?[facet]?.numberValue ?? 0) > 0, "no \(facet) facet: \(summary)")
            }

            // The run: its uid as the run id, the DataPilot object facet, its input with schema and version.
            let started = try #require(events.first { $0["run"]?["runId"]?.stringValue == uid && $0["eventType"] == "START" })
            #expect(started["job"]?["namespace"] == "dp-test")
            #expect(started["job"]?["name"] == "experiment.churn-model")
            #expect(started["run"]?["facets"]?["datapilot"]?["kind"] == "Run")
            #expect(started["run"]?["facets"]?["datapilot"]?["name"] == "r-ok")
            #expect(started["run"]?["facets"]?["datapilot"]?["uid"] == .string(uid))
            #expect(started["job"]?["facets"]?["sourceCodeLocation"]?["version"] == .string(Self.commit))
            let input = try #require(started["inputs"]?[0])
            #expect(input["namespace"] == "dp-test" && input["name"] == "churn")
            #expect(input["facets"]?["version"]?["datasetVersion"] == "churn-1")
            #expect(input["facets"]?["schema"]?["fields"]?[1]?["name"] == "plan")
            #expect(events.contains { $0["run"]?["runId"]?.stringValue == uid && $0["eventType"] == "COMPLETE" })
            let failed = try #require(events.first { $0["run"]?["facets"]?["datapilot"]?["name"] == "r-bad" && $0["eventType"] == "FAIL" })
            #expect(failed["run"]?["facets"]?["errorMessage"]?["message"] == "ended FAILED")
            #expect(events.contains { $0["run"]?["facets"]?["datapilot"]?["name"] == "r-cancelled" && $0["eventType"] == "ABORT" })

            // The evaluation: its checks as assertions on the version it read (or why it could not run).
            #expect(events.contains { $0["job"]?["name"] == "quality.churn" && $0["eventType"] == "START" })
            let evaluated = try #require(events.first { $0["job"]?["name"] == "quality.churn" && $0["eventType"] == "COMPLETE" })
            #expect(evaluated["inputs"]?[0]?["facets"]?["version"]?["datasetVersion"] == "churn-1")
            let assertions = evaluated["inputs"]?[0]?["inputFacets"]?["dataQualityAssertions"]?["assertions"]?.arrayValue ?? []
            #expect(assertions.count == 2, "\(evaluated)")
            #expect(assertions.first { $0["name"] == "churn-rows/enough-rows" }?["success"] == true)
            #expect(assertions.first { $0["name"] == "churn-rows/known-plans" }?["success"] == false)
            let unread = try #require(events.first { $0["job"]?["name"] == "quality.churn" && $0["eventType"] == "FAIL" })
            #expect(unread["inputs"]?[0]?["facets"]?["version"]?["datasetVersion"] == "churn-2", "\(unread)")
            #expect(unread["run"]?["facets"]?["errorMessage"]?["message"]?.stringValue?.isEmpty == false, "\(unread)")
            #expect(unread["run"]?["facets"]?["datapilot"]?["kind"] == "Evaluation")

            // The syncs: the version the commit changed as the output, the commit as the code's location.
            let synced = try #require(events.first { $0["job"]?["name"] == "sync.growth" && $0["eventType"] == "COMPLETE" })
            #expect(synced["outputs"]?[0]?["facets"]?["version"]?["datasetVersion"] == "churn-1", "\(synced)")
            #expect(synced["job"]?["facets"]?["sourceCodeLocation"]?["repoUrl"] == .string(Self.repository))
            #expect(synced["run"]?["facets"]?["datapilot"]?["kind"] == "Source")
            let syncFailed = try #require(events.first { $0["job"]?["name"] == "sync.growth" && $0["eventType"] == "FAIL" })
            #expect(syncFailed["run"]?["facets"]?["errorMessage"]?["message"] == "datasetversion/churn-2: 409 conflict")

            // The collector: a 503 first, then the same event again; every request with the bearer key.
            let requests = OpenLineagePython.lines(received)
            #expect(requests.first?["status"] == 503)
            #expect(requests.count >= 12)
            #expect(requests.count > 1 && requests[0]["body"] == requests[1]["body"], "the refused event was sent again")
            #expect(requests.allSatisfy { $0["authorization"] == "Bearer ol-secret-key" && $0["path"] == "/api/v1/lineage" })
            let delivered = Set(requests.filter { $0["status"] == 201 }.compactMap { $0["body"]?.stringValue })
            let written = Set(events.map { $0.jsonString() })
            #expect(delivered.count == 11)
            #expect(
                delivered.compactMap { text -> JSONValue? in
                    guard case .success(let value) = JSONText.parse(text) else { return nil }
                    return value
                }.allSatisfy { written.contains($0.jsonString()) })
        }
    }

    /// The openlineage-python client's HTTP transport sends a job's events to `POST
    /// /api/v1/lineage`; the lineage graph links the run to the DataPilot version it read and the
    /// foreign datasets; the ingest is audited and needs the editor role.
    @Test(arguments: ServerMode.allCases)
    func theOpenLineageClientFeedsTheLineageGraph(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let upload = try await server.request(
                "POST", "/api/datasets/churn/versions/upload?name=churn-1", body: .bytes(Array("id\n1\n".utf8)))
            #expect(upload.status == 201)
            let editor = try await server.key(role: "editor")
            let viewer = try await server.key(role: "viewer")
            let result = try await OpenLineagePython.run(
                "Tests/OpenLineage/client_emit.py", [server.baseURL, editor, "datapilot", "churn", "churn-1"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr.suffix(3000))")
            let runID = try #require(result.stdout.split(separator: "\n").last.map(String.init), "\(result.stdout)")

            let graph = try await server.request("GET", "/api/lineage/graph?node=olrun/\(runID)&direction=downstream&depth=1")
            let edges = Set(
                (graph.json["edges"]?.arrayValue ?? []).map { edge in
                    "\(edge["from"]?.stringValue ?? "") \(edge["relation"]?.stringValue ?? "") \(edge["to"]?.stringValue ?? "")"
                })
            #expect(
                edges == [
                    "olrun/\(runID) belongs-to oljob/airflow/churn_etl.train_features",
                    "olrun/\(runID) input datasetversion/churn-1",
                    "olrun/\(runID) input oldataset/postgres://warehouse:5432/crm.public.accounts",
                    "olrun/\(runID) output oldataset/s3://features/churn/features.parquet",
                ], "\(graph.text)")
            // From the DataPilot side: the dataset's lineage reaches the foreign job's run.
            let upstream = try await server.request("GET", "/api/lineage/graph?node=dataset/churn&direction=downstream&depth=2")
            #expect(upstream.json["nodes"]?.arrayValue?.contains(.string("datasetversion/churn-1")) == true)
            let version = try await server.request("GET", "/api/lineage/graph?node=datasetversion/churn-1&direction=upstream&depth=1")
            #expect(version.json["nodes"]?.arrayValue?.contains(.string("olrun/\(runID)")) == true, "\(version.text)")

            let trail = try await server.auditTrail()
            #expect(trail.filter { $0 == "openlineage oljob/airflow/churn_etl.train_features" }.count == 2, "\(trail)")

            let event = Self.event(runID: UUID().uuidString.lowercased())
            let refused = try await server.request("POST", "/api/v1/lineage", json: event, key: viewer)
            #expect(refused.status == 403)
            #expect(try await server.request("POST", "/api/v1/lineage", json: event, key: nil).status == 401)
        }
    }

    static func event(
        runID: String, eventType: String? = "\"START\"", eventTime: String = "\"2026-11-30T18:00:00.000Z\"", job: String? = nil,
        inputs: String = #"[{"namespace": "datapilot", "name": "churn"}]"#
    ) -> String {
        var members = [
            #""eventTime": \#(eventTime)"#, #""run": {"runId": "\#(runID)"}"#,
            #""job": \#(job ?? #"{"namespace": "airflow", "name": "etl"}"#)"#, #""inputs": \#(inputs)"#,
            #""producer": "https://example.com/producer""#,
            #""schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent""#,
        ]
        if let eventType { members.insert(#""eventType": \#(eventType)"#, at: 0) }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// A bad event is a problem+json naming the field, and writes nothing: no edge, no audit event.
    @Test func badEventsAreRefusedNamingTheFieldAndWriteNothing() async throws {
        try await withServer { server in
            let id = "6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
            let tooMany = "[" + Array(repeating: #"{"namespace": "n", "name": "t"}"#, count: 1001).joined(separator: ",") + "]"
            let cases: [(name: String, body: String, status: Int, field: String)] = [
                ("missing eventType", Self.event(runID: id, eventType: nil), 422, "eventType"),
                ("unknown eventType", Self.event(runID: id, eventType: "\"DONE\""), 422, "eventType"),
                ("eventType not a string", Self.event(runID: id, eventType: "7"), 422, "eventType"),
                ("eventTime not a time", Self.event(runID: id, eventTime: "\"yesterday\""), 422, "eventTime"),
                ("eventTime month 13", Self.event(runID: id, eventTime: "\"2026-13-01T00:00:00Z\""), 422, "eventTime"),
                ("eventTime without zone", Self.event(runID: id, eventTime: "\"2026-11-30T18:00:00\""), 422, "eventTime"),
                ("bad run id", Self.event(runID: "run-42"), 422, "run.runId"),
                ("job name a number", Self.event(runID: id, job: #"{"namespace": "airflow", "name": 5}"#), 422, "job.name"),
                ("job missing its namespace", Self.event(runID: id, job: #"{"name": "etl"}"#), 422, "job.namespace"),
                ("inputs not an array", Self.event(runID: id, inputs: #"{"namespace": "n"}"#), 422, "inputs"),
                (
                    "a later input without a name",
                    Self.event(runID: id, inputs: #"[{"namespace": "n", "name": "a"}, {"namespace": "n"}]"#),
                    422, "inputs[1].name"
                ),
                ("too many inputs", Self.event(runID: id, inputs: tooMany), 422, "inputs"),
                ("not an object", "[1, 2]", 422, ""),
            ]
            for bad in cases {
                let response = try await server.request("POST", "/api/v1/lineage", json: bad.body)
                #expect(response.status == bad.status, "\(bad.name): \(response.status) \(response.text)")
                #expect(
                    response.headers.first { $0.name.lowercased() == "content-type" }?.value == "application/problem+json", "\(bad.name)")
                let paths = (response.json["errors"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
                #expect(paths.contains(bad.field), "\(bad.name): \(response.text)")
            }
            // Too large: refused before it is read, as a problem naming the body's limit.
            let padding = String(repeating: "x", count: 1 << 20)
            let large = try await server.request(
                "POST", "/api/v1/lineage", json: Self.event(runID: id, job: #"{"namespace": "airflow", "name": "\#(padding)"}"#))
            #expect(large.status == 413, "\(large.text.prefix(300))")
            #expect(large.json["detail"]?.stringValue?.contains("1048576 bytes") == true, "\(large.text.prefix(300))")
            let notJSON = try await server.request("POST", "/api/v1/lineage", json: "{\"eventType\": ")
            #expect(notJSON.status == 400)

            // Nothing was written by any of them.
            let graph = try await server.request("GET", "/api/lineage/graph?node=olrun/\(id)&direction=both")
            #expect(graph.json["edges"] == [], "\(graph.text)")
            #expect(try await server.auditTrail().allSatisfy { !$0.hasPrefix("openlineage ") })
            // The same event, made good, is taken.
            #expect(try await server.request("POST", "/api/v1/lineage", json: Self.event(runID: id)).status == 201)
            let written = try await server.request("GET", "/api/lineage/graph?node=olrun/\(id)&direction=both")
            #expect(written.json["edges"]?.arrayValue?.count == 2, "\(written.text)")
        }
    }
}
