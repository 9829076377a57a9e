import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

/// Issue 18, item 1: every DatasetVersion has an admission state, decided by queued evaluations
/// that the workers of any replica claim; runs read admitted inputs only, unless they say
/// otherwise (and the audit and evidence record it); an admin can override with a reason; a rule
/// change re-decides the dataset's latest version.
@Suite struct AdmissionTests {
    static let strictRule = #"""
        {"metadata": {"name": "churn-rows"}, "spec": {"dataset": "churn", "severity": "fail", "checks": [
          {"name": "enough-rows", "rowCount": {"min": 3}}, {"name": "known-plans", "allowedValues": {"column": "plan", "values": ["free", "pro"]}}]}}
        """#
    static let goodData = "id,plan\n1,free\n2,pro\n3,free\n"
    static let badData = "id,plan\n1,free\n2,gold\n"

    func admission(_ server: TestServer, _ version: String, dataset: String = "churn") async throws -> JSONValue {
        try await server.request("GET", "/api/datasets/\(dataset)/versions/\(version)").json["status"]?["admission"] ?? .null
    }

    /// Waits for the version's admission to settle (neither Pending nor Evaluating) and answers it.
    func settled(_ server: TestServer, _ version: String, dataset: String = "churn") async throws -> JSONValue {
        var state: JSONValue = .null
        _ = try await eventually(60) {
            state = try await admission(server, version, dataset: dataset)
            return !["Pending", "Evaluating"].contains(state["state"]?.stringValue ?? "Pending")
        }
        return state
    }

    /// The change an audit event records at `path` (`{"op", "path", "old", "new"}`).
    func change(_ event: JSONValue?, _ path: String) -> JSONValue? {
        event?["diff"]?.arrayValue?.first { $0["path"]?.stringValue == path }
    }

    func upload(_ server: TestServer, _ version: String, _ data: String, dataset: String = "churn") async throws {
        let response = try await server.request(
            "POST", "/api/datasets/\(dataset)/versions/upload?name=\(version)", body: .bytes(Array(data.utf8)))
        #expect(response.status == 201, "\(response.text)")
    }

    @Test func aVersionThatBreaksItsRulesIsQuarantinedAndRunsRefuseIt() async throws {
        try await withServer { server in
            let editor = try await server.key(role: "editor")
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(try await server.request("POST", "/api/qualityrules", json: Self.strictRule).status == 201)
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            try await upload(server, "churn-good", Self.goodData)
            try await upload(server, "churn-bad", Self.badData)

            let good = try await settled(server, "churn-good")
            #expect(good["state"]?.stringValue == "Admitted", "\(good)")
            let bad = try await settled(server, "churn-bad")
            #expect(bad["state"]?.stringValue == "Quarantined", "\(bad)")
            let failed = (bad["failedChecks"]?.arrayValue ?? []).compactMap { $0["check"]?.stringValue }.sorted()
            #expect(failed == ["enough-rows", "known-plans"], "\(bad)")
            #expect(bad["changedBy"]?.stringValue == "system:quality")
            let trail = try await server.auditTrail()
            #expect(trail.contains("quarantine datasetversion/churn-bad") && trail.contains("admit datasetversion/churn-good"), "\(trail)")

            // A run reading the quarantined version is refused, naming the version and the failed checks; nothing is written.
            let refused = try await server.request(
                "POST", "/api/runs", json: run("r-bad", experiment: "churn-model", inputs: ["churn-good", "churn-bad"]), key: editor)
            #expect(refused.status == 409, "\(refused.text)")
            let detail = refused.json["detail"]?.stringValue ?? ""
            #expect(
                detail.contains("\"churn-bad\", which is Quarantined") && detail.contains("enough-rows") && !detail.contains("churn-good"),
                "\(detail)")
            #expect(try await server.request("GET", "/api/runs/r-bad").status == 404)
            #expect(!(try await server.auditTrail()).contains("create run/r-bad"))
            // The admitted one is fine.
            let fine = try await server.request(
                "POST", "/api/runs", json: run("r-good", experiment: "churn-model", inputs: ["churn-good"]), key: editor)
            #expect(fine.status == 201, "\(fine.text)")

            // Allowed explicitly: created, started, and the record, audit and inputs say so.
            let anyway = #"""
                {"metadata": {"name": "r-anyway"}, "spec": {"experiment": "churn-model", "inputs": [{"datasetVersion": "churn-bad"}],
                 "allowUnadmittedInputs": true}}
                """#
            #expect(try await server.request("POST", "/api/runs", json: anyway, key: editor).status == 201)
            let started = try await server.request(
                "PUT", "/api/experiment-runs/r-anyway/state", json: #"{"state": "RUNNING"}"#, key: editor)
            #expect(started.status == 200, "\(started.text)")
            let inputs = started.json["status"]?["inputs"]?.arrayValue ?? []
            #expect(
                inputs.first?["admission"]?.stringValue == "Quarantined" && inputs.first?["admittedAnyway"]?.boolValue == true, "\(inputs)")
            let events =
                try await server.request("GET", "/api/audit/events?resource=run/r-anyway&page_size=100").json["items"]?.arrayValue ?? []
            let start = events.first { $0["action"]?.stringValue == "state" && change($0, "/state")?["new"] == "RUNNING" }
            #expect(change(start, "/unadmittedInputs")?["new"] == ["churn-bad (Quarantined)"], "\(events)")

            // An admin admits it by hand, with a reason; then a run without the flag is accepted.
            let override = try await server.request(
                "POST", "/api/datasetversions/churn-bad/admission",
                json: #"{"state": "Admitted", "reason": "gold is a new plan, rule to follow"}"#)
            #expect(override.status == 200, "\(override.text)")
            let now = try await admission(server, "churn-bad")
            #expect(now["state"]?.stringValue == "Admitted" && now["changedBy"]?.stringValue?.hasPrefix("apikey:") == true, "\(now)")
            #expect(now["reason"]?.stringValue == "gold is a new plan, rule to follow")
            let admitted = try await server.request(
                "POST", "/api/runs", json: run("r-after", experiment: "churn-model", inputs: ["churn-bad"]), key: editor)
            #expect(admitted.status == 201, "\(admitted.text)")
            let adminEvents = try await server.request("GET", "/api/audit/events?resource=datasetversion/churn-bad&page_size=100")
            let admit = (adminEvents.json["items"]?.arrayValue ?? []).last { $0["action"]?.stringValue == "admit" }
            #expect(change(admit, "/reason")?["new"] == "gold is a new plan, rule to follow", "\(adminEvents.text)")
            #expect(change(admit, "/admission")?["old"] == "Quarantined" && change(admit, "/admission")?["new"] == "Admitted")
            #expect(admit?["actor"]?.stringValue?.hasPrefix("apikey:") == true)
        }
    }

    @Test func onlyAnAdminOverridesAndBadOverridesChangeNothing() async throws {
        try await withServer { server in
            let editor = try await server.key(role: "editor")
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(try await server.request("POST", "/api/qualityrules", json: Self.strictRule).status == 201)
            try await upload(server, "churn-bad", Self.badData)
            #expect(try await settled(server, "churn-bad")["state"]?.stringValue == "Quarantined")
            let cases: [(body: String, key: String?, status: Int, says: String)] = [
                (#"{"state": "Admitted", "reason": "trust me"}"#, editor, 403, "admin"),
                (#"{"state": "Admitted", "reason": "trust me"}"#, nil, 401, ""),
                (#"{"state": "Evaluating", "reason": "x"}"#, TestServer.adminKey, 422, "state: Admitted or Quarantined"),
                (#"{"state": "admitted", "reason": "x"}"#, TestServer.adminKey, 422, "state: Admitted or Quarantined"),
                (#"{"reason": "x"}"#, TestServer.adminKey, 422, "state"),
                (#"{"state": "Admitted"}"#, TestServer.adminKey, 422, "reason: say why"),
                (#"{"state": "Admitted", "reason": "   "}"#, TestServer.adminKey, 422, "reason: say why"),
                (#"{"state": "Admitted", "reason": "\#(String(repeating: "x", count: 1001))"}"#, TestServer.adminKey, 422, "1000 bytes"),
                (#"["Admitted"]"#, TestServer.adminKey, 400, ""),
            ]
            for (body, key, status, says) in cases {
                let response = try await server.request("POST", "/api/datasetversions/churn-bad/admission", json: body, key: key)
                #expect(response.status == status, "\(body): \(response.text)")
                #expect(says.isEmpty || response.text.contains(says), "\(body): \(response.text)")
            }
            let unknown = try await server.request(
                "POST", "/api/datasetversions/no-such/admission", json: #"{"state": "Admitted", "reason": "x"}"#)
            #expect(unknown.status == 404 && unknown.text.contains("no-such"), "\(unknown.text)")
            #expect(try await admission(server, "churn-bad")["state"]?.stringValue == "Quarantined")
            #expect(!(try await server.auditTrail()).contains("admit datasetversion/churn-bad"))
        }
    }

    @Test func withoutRulesAVersionIsUncheckedAndARuleChangeReDecidesTheLatest() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            try await upload(server, "churn-1", Self.goodData)
            let unchecked = try await admission(server, "churn-1")
            #expect(
                unchecked["state"]?.stringValue == "Unchecked" && unchecked["reason"]?.stringValue?.contains("no quality rules") == true)
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            #expect(
                try await server.request("POST", "/api/runs", json: run("r-1", experiment: "churn-model", inputs: ["churn-1"])).status
                    == 201)

            // The first rule: the never-checked version is evaluated and admitted.
            #expect(try await server.request("POST", "/api/qualityrules", json: Self.strictRule).status == 201)
            #expect(try await settled(server, "churn-1")["state"]?.stringValue == "Admitted")
            try await upload(server, "churn-2", Self.goodData + "4,pro\n")
            #expect(try await settled(server, "churn-2")["state"]?.stringValue == "Admitted")

            // The rule is tightened: the latest version is re-decided (and quarantined); the older keeps its state.
            let tightened = Self.strictRule.replacingOccurrences(of: #""min": 3"#, with: #""min": 4"#)
                .replacingOccurrences(of: #""values": ["free", "pro"]"#, with: #""values": ["free"]"#)
            #expect(try await server.request("PUT", "/api/qualityrules/churn-rows", json: tightened).status == 200)
            let latest = try await settled(server, "churn-2")
            #expect(latest["state"]?.stringValue == "Quarantined", "\(latest)")
            #expect((latest["failedChecks"]?.arrayValue ?? []).map { $0["check"]?.stringValue } == ["known-plans"], "\(latest)")
            #expect(try await admission(server, "churn-1")["state"]?.stringValue == "Admitted")

            // The rule is deleted: the latest version has nothing to check again.
            let deleted = try await server.request("DELETE", "/api/qualityrules/churn-rows")
            #expect(deleted.status == 200 || deleted.status == 204, "\(deleted.text)")
            let after = try await settled(server, "churn-2")
            #expect(after["state"]?.stringValue == "Unchecked", "\(after)")
        }
    }

    @Test func evaluationsAreQueuedAndCanBeWaitedFor() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(try await server.request("POST", "/api/qualityrules", json: Self.strictRule).status == 201)
            try await upload(server, "churn-1", Self.goodData)
            _ = try await settled(server, "churn-1")
            // Without wait: 202 and a location to poll, which reaches DONE.
            let queued = try await server.request("POST", "/api/evaluations", json: #"{"datasetVersion": "churn-1"}"#)
            #expect(queued.status == 202 || queued.status == 201, "\(queued.text)")
            let location = queued.header("location") ?? ""
            #expect(location.hasPrefix("/api/evaluations/churn-1-"), "\(queued.text)")
            var done: JSONValue = .null
            #expect(
                try await eventually(60) {
                    done = try await server.request("GET", location).json
                    return done["state"]?.stringValue == "DONE"
                }, "\(done)")
            #expect(done["outcome"]?.stringValue == "PASSED" && done["trigger"]?.stringValue == "api")
            // With wait: the finished evaluation. A subset of checks never moves admission.
            let waited = try await server.request(
                "POST", "/api/evaluations?wait=60s", json: #"{"datasetVersion": "churn-1", "checks": ["enough-rows"]}"#)
            #expect(waited.status == 201 && waited.json["state"]?.stringValue == "DONE", "\(waited.text)")
            #expect(waited.json["summary"]?["checks"]?.arrayValue?.count == 1)
            #expect(try await admission(server, "churn-1")["evaluation"]?.stringValue == done["id"]?.stringValue)
            // Bad requests are refused before anything is queued.
            let before = try await server.request("GET", "/api/evaluations?datasetVersion=churn-1").json["items"]?.arrayValue?.count
            let cases: [(path: String, body: String, status: Int, says: String)] = [
                ("/api/evaluations?wait=forever", #"{"datasetVersion": "churn-1"}"#, 400, "wait: a duration up to 5m"),
                ("/api/evaluations?wait=10m", #"{"datasetVersion": "churn-1"}"#, 400, "wait"),
                ("/api/evaluations", #"{"datasetVersion": "nope"}"#, 404, "nope"),
                ("/api/evaluations", #"{"datasetVersion": "churn-1", "rules": ["nope"]}"#, 422, "nope"),
                ("/api/evaluations", #"{"datasetVersion": "churn-1", "rules": []}"#, 422, "non-empty list"),
                ("/api/evaluations", #"{}"#, 422, "datasetVersion"),
            ]
            for (path, body, status, says) in cases {
                let response = try await server.request("POST", path, json: body)
                #expect(response.status == status && response.text.contains(says), "\(path) \(body): \(response.text)")
            }
            #expect(try await server.request("GET", "/api/evaluations?datasetVersion=churn-1").json["items"]?.arrayValue?.count == before)
        }
    }

    /// Holds every evaluation worker before it claims anything: a transaction of the test's own
    /// holds `evaluations` in EXCLUSIVE mode, which the claim's first `select ... for update`
    /// waits for (plain reads go on). So a version stays Pending as long as the test needs,
    /// and no row a request could wait for is locked meanwhile.
    struct ClaimHold {
        let pool: ConnectionPool

        init(databaseURL: String) async throws {
            pool = ConnectionPool(conninfo: databaseURL, maxConnections: 1)
            try await pool.withConnection { connection in
                try connection.query("begin")
                try connection.query("lock table evaluations in exclusive mode")
            }
        }

        func release() async throws {
            try await pool.withConnection { _ = try $0.query("commit") }
            pool.close()
        }
    }

    @Test func aRunWaitsForItsInputsAdmissionThenStartsOrFails() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            let executor = try await server.key(role: "executor")
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(try await server.request("POST", "/api/qualityrules", json: Self.strictRule).status == 201)
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let hold = try await ClaimHold(databaseURL: server.databaseURL)
            try await upload(server, "churn-good", Self.goodData)
            try await upload(server, "churn-bad", Self.badData)
            #expect(try await admission(server, "churn-good")["state"]?.stringValue == "Pending")

            // Pending inputs: a run may be written, but not started, and one that executes waits QUEUED.
            #expect(
                try await server.request("POST", "/api/runs", json: run("r-manual", experiment: "churn-model", inputs: ["churn-good"]))
                    .status == 201)
            let early = try await server.request("PUT", "/api/experiment-runs/r-manual/state", json: #"{"state": "RUNNING"}"#)
            #expect(early.status == 409 && early.json["title"]?.stringValue == "Inputs not admitted yet", "\(early.text)")
            #expect(early.json["detail"]?.stringValue?.contains("\"churn-good\", which is Pending") == true, "\(early.text)")
            for (name, version) in [("r-good", "churn-good"), ("r-bad", "churn-bad")] {
                let body = #"""
                    {"metadata": {"name": "\#(name)"}, "spec": {"experiment": "churn-model", "inputs": [{"datasetVersion": "\#(version)"}],
                     "command": ["/bin/true"], "execute": true}}
                    """#
                let created = try await server.request("POST", "/api/runs", json: body, key: executor)
                #expect(created.status == 201, "\(created.text)")
            }
            try await Task.sleep(for: .seconds(2))  // HeldRuns looks every second: nothing may start meanwhile
            for name in ["r-good", "r-bad"] {
                #expect(try await server.request("GET", "/api/experiment-runs/\(name)").json["status"]?["state"]?.stringValue == "QUEUED")
            }

            // Admission decided: the admitted one starts and succeeds, the quarantined one fails, naming why.
            try await hold.release()
            var good: JSONValue = .null
            var bad: JSONValue = .null
            #expect(
                try await eventually(90) {
                    good = try await server.request("GET", "/api/experiment-runs/r-good").json["status"] ?? .null
                    bad = try await server.request("GET", "/api/experiment-runs/r-bad").json["status"] ?? .null
                    return good["state"]?.stringValue == "SUCCEEDED" && bad["state"]?.stringValue == "FAILED"
                }, "\(good) \(bad)")
            #expect(bad["message"]?.stringValue?.contains("\"churn-bad\", which is Quarantined") == true, "\(bad)")
            #expect(good["inputs"]?.arrayValue?.first?["admission"]?.stringValue == "Admitted", "\(good)")
            let late = try await server.request("PUT", "/api/experiment-runs/r-manual/state", json: #"{"state": "RUNNING"}"#)
            #expect(late.status == 200, "\(late.text)")
        }
    }

    @Test func dpctlShowsAdmissionAndAnAdminOverridesIt() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(try await server.request("POST", "/api/qualityrules", json: Self.strictRule).status == 201)
            try await upload(server, "churn-bad", Self.badData)
            #expect(try await settled(server, "churn-bad")["state"]?.stringValue == "Quarantined")
            let admin = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": TestServer.adminKey]
            let table = try await dpctl(["get", "datasetversions"], environment: admin)
            #expect(table.stdout.contains("ADMISSION") && table.stdout.contains("Quarantined"), "\(table.stdout)")

            let viewer = ["DATAPILOT_SERVER": server.baseURL, "DATAPILOT_TOKEN": try await server.key(role: "viewer")]
            let cases: [(arguments: [String], environment: [String: String], says: String)] = [
                (["admit", "churn-bad", "--reason", "fine"], viewer, "takes the admin role"),
                (["admit", "churn-bad"], admin, "--reason"),
                (["admit", "churn-bad", "--reason", "  "], admin, "--reason must say why"),
                (["admit", "Not_A_Name", "--reason", "x"], admin, "not a dataset version name"),
                (["admit", "no-such", "--reason", "x"], admin, "no-such"),
            ]
            for (arguments, environment, says) in cases {
                let refused = try await dpctl(arguments, environment: environment)
                #expect(refused.status != 0 && refused.stderr.contains(says), "\(arguments): \(refused.stderr)")
            }
            #expect(try await admission(server, "churn-bad")["state"]?.stringValue == "Quarantined")
            let admitted = try await dpctl(["admit", "datasetversion/churn-bad", "--reason", "gold is a new plan"], environment: admin)
            #expect(admitted.status == 0 && admitted.stdout.contains("datasetversion/churn-bad admitted"), "\(admitted.stderr)")
            #expect(try await admission(server, "churn-bad")["state"]?.stringValue == "Admitted")
            let quarantined = try await dpctl(["quarantine", "churn-bad", "--reason", "no after all", "-o", "json"], environment: admin)
            #expect(quarantined.status == 0 && quarantined.stdout.contains("\"Quarantined\""), "\(quarantined.stderr)")
            #expect(try await admission(server, "churn-bad")["state"]?.stringValue == "Quarantined")
        }
    }
}
