import Curl
import Foundation
import Manifests
import Testing

/// Runs as the Experiments service owns them: lifecycle, heartbeats and the reaper, run-scoped
/// tokens, telemetry, execution and evidence.
@Suite struct RunTests {
    let csv = "customer_id,tenure\nc1,3\nc2,14\n"

    func setUp(_ server: TestServer, versions: [String] = ["churn-1"]) async throws {
        #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
        for (index, version) in versions.enumerated() {
            let content = csv + "c\(index + 3),\(index)\n"
            #expect(
                try await server.request("POST", "/api/datasets/churn/versions/upload?name=\(version)", body: .bytes(Array(content.utf8)))
                    .status == 201)
        }
        #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model", datasets: ["churn"])).status == 201)
    }

    func newRun(_ server: TestServer, _ body: String) async throws -> JSONValue {
        let response = try await server.request("POST", "/api/experiments/churn-model/runs", json: body)
        #expect(response.status == 201, "\(response.text)")
        return response.json
    }

    func state(_ server: TestServer, _ run: String) async throws -> String? {
        try await server.request("GET", "/api/experiment-runs/\(run)").json["status"]?["state"]?.stringValue
    }

    @Test(arguments: ServerMode.allCases)
    func theLifecycleIsTheServers(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            try await setUp(server)
            let created = try await newRun(
                server, #"{"name": "r1", "inputs": [{"datasetVersion": "churn-1"}], "params": {"lr": 0.1}, "tags": {"owner": "ana"}}"#)
            #expect(created["status"]?["state"]?.stringValue == "QUEUED")
            #expect(created["status"]?["tags"]?["owner"]?.stringValue == "ana")
            // The input is pinned by its digest.
            let digest = created["status"]?["inputs"]?[0]?["digest"]?.stringValue ?? ""
            #expect(digest.hasPrefix("sha256:") && digest.count == 71, "\(created)")

            let running = try await server.request("PUT", "/api/experiment-runs/r1/state", json: #"{"state": "RUNNING"}"#)
            #expect(running.json["status"]?["state"]?.stringValue == "RUNNING", "\(running.text)")
            #expect(running.json["status"]?["startedAt"] != nil)
            #expect(try await server.request("POST", "/api/experiment-runs/r1/heartbeat").status == 204)
            let done = try await server.request("PUT", "/api/experiment-runs/r1/state", json: #"{"state": "SUCCEEDED", "exitCode": 0}"#)
            #expect(done.json["status"]?["state"]?.stringValue == "SUCCEEDED")
            #expect(done.json["status"]?["finishedAt"] != nil)
            // Final is final; LOST is the server's; params never change; tags do.
            let again = try await server.request("PUT", "/api/experiment-runs/r1/state", json: #"{"state": "RUNNING"}"#)
            #expect(
                again.status == 409 && again.json["detail"]?.stringValue?.contains("finished run never changes") == true, "\(again.text)")
            let lost = try await server.request("PUT", "/api/experiment-runs/r1/state", json: #"{"state": "LOST"}"#)
            #expect(lost.status == 422)
            let params = try await server.request(
                "PUT", "/api/runs/r1",
                json:
                    #"{"metadata": {"name": "r1"}, "spec": {"experiment": "churn-model", "inputs": [{"datasetVersion": "churn-1"}], "params": {"lr": 0.2}}}"#
            )
            #expect(params.status == 409 && params.json["detail"]?.stringValue?.contains("params never change") == true, "\(params.text)")
            let tags = try await server.request(
                "PUT", "/api/experiment-runs/r1/tags", json: #"{"tags": {"owner": "bo", "reviewed": "yes"}}"#)
            #expect(tags.json["status"]?["tags"]?["reviewed"]?.stringValue == "yes")
            #expect(try await server.request("POST", "/api/experiment-runs/r1/heartbeat").status == 409)

            // A queued run cancelled before it starts.
            _ = try await newRun(server, #"{"name": "r2"}"#)
            let cancelled = try await server.request("POST", "/api/experiment-runs/r2/cancel")
            #expect(cancelled.json["status"]?["state"]?.stringValue == "CANCELLED", "\(cancelled.text)")

            let listed = try await server.request("GET", "/api/experiments/churn-model/runs?state=SUCCEEDED")
            #expect(listed.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["r1"])
            let trail = try await server.request("GET", "/api/audit/events?resource=run/r1")
            #expect(trail.json["items"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["create", "state", "state", "tag"])
        }
    }

    @Test func aRunWhoseHeartbeatStopsIsLost() async throws {
        try await withServer(environment: ["DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "1"]) { server in
            try await setUp(server)
            _ = try await newRun(server, #"{"name": "quiet"}"#)
            #expect(try await server.request("PUT", "/api/experiment-runs/quiet/state", json: #"{"state": "RUNNING"}"#).status == 200)
            #expect(try await eventually(20) { try await state(server, "quiet") == "LOST" })
            let run = try await server.request("GET", "/api/experiment-runs/quiet").json
            #expect(run["status"]?["message"]?.stringValue?.contains("no heartbeat") == true)
            let trail = try await server.request("GET", "/api/audit/events?resource=run/quiet").json["items"]?.arrayValue ?? []
            #expect(trail.last?["actor"]?.stringValue == "system:reaper")
        }
    }

    @Test func aMetricBatchReplayedAddsNothing() async throws {
        try await withServer { server in
            try await setUp(server)
            _ = try await newRun(server, #"{"name": "m1"}"#)
            let points = (1...1000).map {
                #"{"key": "loss", "value": \#(1.0 / Double($0)), "step": \#($0), "timestamp": \#(1_764_180_000_000 + $0)}"#
            }
            let batch = #"{"metrics": [\#(points.joined(separator: ","))]}"#
            let first = try await server.request("POST", "/api/experiment-runs/m1/metrics", json: batch)
            #expect(first.json["accepted"]?.numberValue == 1000, "\(first.text)")
            let replay = try await server.request("POST", "/api/experiment-runs/m1/metrics", json: batch)
            #expect(replay.json["accepted"]?.numberValue == 0)
            #expect(replay.json["duplicates"]?.numberValue == 1000)
            let latest = try await server.request("GET", "/api/experiment-runs/m1/metrics").json["items"]?[0]
            #expect(latest?["step"]?.numberValue == 1000 && latest?["points"]?.numberValue == 1000)
            var steps = 0
            var token: String?
            repeat {
                let page = try await server.request(
                    "GET", "/api/experiment-runs/m1/metrics/loss?page_size=300" + (token.map { "&page_token=\($0)" } ?? "")
                ).json
                steps += page["items"]?.arrayValue?.count ?? 0
                token = page["next_page_token"]?.stringValue
            } while token != nil
            #expect(steps == 1000)
            // One audit event for the batch that wrote, none for the replay.
            let trail =
                try await server.request("GET", "/api/audit/events?resource=run/m1&action=log-metrics").json["items"]?.arrayValue ?? []
            #expect(trail.count == 1)
        }
    }

    static let badTelemetry: [(label: String, path: String, body: String, status: Int, mentions: String)] = [
        ("no metrics", "/api/experiment-runs/t1/metrics", #"{"points": []}"#, 422, "{\"metrics\""),
        (
            "too many", "/api/experiment-runs/t1/metrics",
            #"{"metrics": [\#(Array(repeating: #"{"key": "a", "value": 1, "timestamp": 1}"#, count: 1001).joined(separator: ","))]}"#, 422,
            "at most 1000"
        ),
        ("no key", "/api/experiment-runs/t1/metrics", #"{"metrics": [{"value": 1, "timestamp": 1}]}"#, 422, "metrics[0].key"),
        (
            "not finite", "/api/experiment-runs/t1/metrics", #"{"metrics": [{"key": "a", "value": "x", "timestamp": 1}]}"#, 422,
            "metrics[0].value"
        ),
        (
            "no timestamp", "/api/experiment-runs/t1/metrics", #"{"metrics": [{"key": "a", "value": 1}]}"#, 422,
            "metrics[0].timestamp is required"
        ),
        (
            "bad time", "/api/experiment-runs/t1/metrics", #"{"metrics": [{"key": "a", "value": 1, "timestamp": "yesterday"}]}"#, 422,
            "RFC 3339"
        ),
        (
            "unknown run", "/api/experiment-runs/nope/metrics", #"{"metrics": [{"key": "a", "value": 1, "timestamp": 1}]}"#, 404,
            "Run \"nope\""
        ),
        ("bad level", "/api/experiment-runs/t1/events", #"{"events": [{"level": "loud", "message": "x"}]}"#, 422, "events[0].level"),
        ("not JSON", "/api/experiment-runs/t1/events", "{", 400, "not valid JSON"),
        ("bad state", "/api/experiments/runs:execute", #"{"run": "t1", "executor": "slurm"}"#, 422, "executor must be one of"),
        ("no command", "/api/experiments/runs:execute", #"{"run": "t1"}"#, 422, "no spec.command"),
        ("bad uid", "/api/experiments/runs:execute", #"{"run": "t1", "uid": 5}"#, 422, "uid must be the run's metadata.uid"),
        (
            "other uid", "/api/experiments/runs:execute", #"{"run": "t1", "uid": "00000000-0000-0000-0000-000000000000"}"#, 409,
            "it was deleted and created again"
        ),
    ]

    @Test func badTelemetryIsRefusedAndWritesNothing() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            try await setUp(server)
            _ = try await newRun(server, #"{"name": "t1"}"#)
            for bad in Self.badTelemetry {
                let response = try await server.request("POST", bad.path, json: bad.body)
                #expect(response.status == bad.status, "\(bad.label): \(response.status) \(response.text.prefix(300))")
                #expect(response.json["detail"]?.stringValue?.contains(bad.mentions) == true, "\(bad.label): \(response.text.prefix(400))")
            }
            #expect(try await server.request("GET", "/api/experiment-runs/t1/metrics").json["items"]?.arrayValue?.isEmpty == true)
            #expect(try await server.request("GET", "/api/experiment-runs/t1/events").json["items"]?.arrayValue?.isEmpty == true)
            #expect(try await state(server, "t1") == "QUEUED")
            let artifact = try await server.request("PUT", "/api/experiment-runs/t1/artifacts/..secret", body: .bytes([1]))
            #expect(artifact.status == 400)
        }
    }

    /// A run's token, as its process sees it: the command prints it to its log, then waits.
    @Test func aRunTokenReachesOnlyItsOwnRunAndEndsWithIt() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            try await setUp(server, versions: ["churn-1", "churn-2"])
            let command = #"["/bin/sh", "-c", "printf 'token=%s\\n' \"$DATAPILOT_RUN_TOKEN\" && echo started && exec sleep 600"]"#
            _ = try await newRun(server, #"{"name": "own", "inputs": [{"datasetVersion": "churn-1"}], "command": \#(command)}"#)
            _ = try await newRun(server, #"{"name": "other"}"#)
            let started = try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "own"}"#)
            #expect(started.status == 202, "\(started.text)")
            #expect(started.json["status"]?["state"]?.stringValue == "RUNNING")
            // The live log, read where the server keeps it (the job itself cannot reach the test's files).
            var printed = ""
            #expect(
                try await eventually(20) {
                    printed = server.liveRunLog("own")
                    return printed.contains("started")
                })
            let token = printed.split(separator: "\n").first { $0.hasPrefix("token=") }.map { String($0.dropFirst(6)) } ?? ""
            #expect(token.hasPrefix("dpt."))

            let point = #"{"metrics": [{"key": "loss", "value": 0.5, "step": 1, "timestamp": 1764180000000}]}"#
            #expect(try await server.request("POST", "/api/experiment-runs/own/metrics", json: point, key: token).status == 200)
            #expect(try await server.request("GET", "/api/experiment-runs/own", key: token).status == 200)
            #expect(try await server.request("GET", "/api/datasets/churn/versions/churn-1/download", key: token).status == 200)
            // Everything else is refused: another run, another version, every other route.
            let forbidden: [(String, String, String?)] = [
                ("POST", "/api/experiment-runs/other/metrics", point), ("GET", "/api/experiment-runs/other", nil),
                ("GET", "/api/datasets/churn/versions/churn-2/download", nil), ("GET", "/api/datasets", nil),
                ("GET", "/api/runs/own", nil), ("POST", "/api/experiments/churn-model/runs", #"{"name": "x"}"#),
                ("POST", "/api/experiment-runs/own/cancel", nil), ("GET", "/api/audit/events", nil),
                ("POST", "/auth/api-keys", #"{"name": "x", "role": "admin"}"#),
                ("POST", "/api/experiment-runs/own/evidence-bundles", nil),
            ]
            for (method, path, body) in forbidden {
                let response = try await server.request(method, path, json: body, key: token)
                #expect(response.status == 403, "\(method) \(path): \(response.status) \(response.text.prefix(200))")
            }
            // Cancel kills the process; the token ends with the run.
            #expect(try await server.request("POST", "/api/experiment-runs/own/cancel").status == 202)
            #expect(try await eventually(20) { try await state(server, "own") == "CANCELLED" })
            let after = try await server.request("POST", "/api/experiment-runs/own/metrics", json: point, key: token)
            #expect(
                after.status == 401 && after.json["detail"]?.stringValue?.contains("expired when the run ended") == true, "\(after.text)")
            let log = try await server.request("GET", "/api/experiment-runs/own/artifacts/run.log")
            #expect(log.status == 200 && String(decoding: log.body, as: UTF8.self).contains("started"))
        }
    }
}
