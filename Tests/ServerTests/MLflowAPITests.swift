import Curl
import Foundation
import Manifests
import TestSupport
import Testing

extension TestServer {
    /// An MLflow request: a GET with `query`, or a POST of `json`.
    func mlflow(_ method: String, _ path: String, _ json: String? = nil, key: String? = TestServer.adminKey) async throws -> HTTPResponse {
        try await request(method, "/api/2.0/mlflow/" + path, json: json, key: key)
    }

    /// A run made through MLflow's runs/create; its id.
    func mlflowRun(experiment: String, name: String) async throws -> String {
        let created = try await mlflow("POST", "runs/create", #"{"experiment_id": "\#(experiment)", "run_name": "\#(name)"}"#)
        guard created.status == 200, let id = created.json["run"]?["info"]?["run_id"]?.stringValue else {
            throw SetupError(.badFixture, "runs/create: \(created.status) \(created.text)")
        }
        return id
    }
}

@Suite("MLflow API: bad input") struct MLflowBadInputTests {
    @Test func badRequestsGetMLflowsErrorShapeNamingWhatIsWrong() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let run = try await server.mlflowRun(experiment: "churn-model", name: "probe")
            #expect(
                try await server.mlflow("POST", "runs/log-parameter", #"{"run_id": "\#(run)", "key": "lr", "value": "0.1"}"#).status == 200)
            let search = "runs/search"
            func filter(_ text: String) -> String { #"{"experiment_ids": ["churn-model"], "filter": "\#(text)"}"# }
            // method, path, body, status, error code, what the message must say
            let cases: [(String, String, String?, Int, String, String)] = [
                ("GET", "experiments/get?experiment_id=nope", nil, 404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=nope"),
                ("GET", "experiments/get", nil, 400, "INVALID_PARAMETER_VALUE", "'experiment_id'"),
                ("GET", "experiments/get-by-name?experiment_name=nope", nil, 404, "RESOURCE_DOES_NOT_EXIST", "'nope'"),
                ("POST", "experiments/create", #"{"name": 5}"#, 400, "INVALID_PARAMETER_VALUE", "parameter 'name'"),
                ("POST", "experiments/create", #"{}"#, 400, "INVALID_PARAMETER_VALUE", "'name'"),
                ("POST", "experiments/create", #"{"name": "churn-model"}"#, 400, "RESOURCE_ALREADY_EXISTS", "churn-model"),
                (
                    "POST", "experiments/create", #"{"name": "x", "tags": [{"key": "a"}]}"#, 400, "INVALID_PARAMETER_VALUE",
                    "'tags[0].value'"
                ),
                ("POST", "experiments/delete", #"{"experiment_id": "nope"}"#, 404, "RESOURCE_DOES_NOT_EXIST", "nope"),
                ("POST", "runs/create", #"{"experiment_id": "nope"}"#, 404, "RESOURCE_DOES_NOT_EXIST", "id=nope"),
                ("POST", "runs/create", #"{"experiment_id": "churn-model", "tags": "x"}"#, 400, "INVALID_PARAMETER_VALUE", "'tags'"),
                ("GET", "runs/get?run_id=missing-run", nil, 404, "RESOURCE_DOES_NOT_EXIST", "missing-run"),
                ("GET", "runs/get", nil, 400, "INVALID_PARAMETER_VALUE", "'run_id'"),
                ("GET", "runs/get?run_id=\(run)&run_uuid=other", nil, 400, "INVALID_PARAMETER_VALUE", "name different runs"),
                ("POST", "runs/update", #"{"run_id": "\#(run)", "status": "DONE"}"#, 400, "INVALID_PARAMETER_VALUE", "'status'"),
                (
                    "POST", "runs/log-metric", #"{"run_id": "\#(run)", "key": "loss", "value": "high", "timestamp": 1}"#, 400,
                    "INVALID_PARAMETER_VALUE", "parameter 'value'"
                ),
                (
                    "POST", "runs/log-metric", #"{"run_id": "\#(run)", "key": "loss", "value": 1}"#, 400, "INVALID_PARAMETER_VALUE",
                    "'timestamp'"
                ),
                ("POST", "runs/log-metric", #"{"run_id": "\#(run)", "value": 1, "timestamp": 1}"#, 400, "INVALID_PARAMETER_VALUE", "'key'"),
                (
                    "POST", "runs/log-metric", #"{"run_id": "\#(run)", "key": "l", "value": 1, "timestamp": 1, "step": 1.5}"#, 400,
                    "INVALID_PARAMETER_VALUE", "'step'"
                ),
                (
                    "POST", "runs/log-metric", #"{"run_id": "nope", "key": "l", "value": 1, "timestamp": 1}"#, 404,
                    "RESOURCE_DOES_NOT_EXIST", "nope"
                ),
                (
                    "POST", "runs/log-batch",
                    #"{"run_id": "\#(run)", "metrics": [{"key": "a", "value": 1, "timestamp": 1}, {"key": "b", "value": [], "timestamp": 1}]}"#,
                    400, "INVALID_PARAMETER_VALUE", "'metrics[1].value'"
                ),
                (
                    "POST", "runs/log-batch", #"{"run_id": "\#(run)", "params": [{"key": "depth"}]}"#, 400, "INVALID_PARAMETER_VALUE",
                    "'params[0].value'"
                ),
                (
                    "POST", "runs/log-batch", #"{"run_id": "\#(run)", "tags": [{"key": "t", "value": 3}]}"#, 400, "INVALID_PARAMETER_VALUE",
                    "'tags[0].value'"
                ),
                (
                    "POST", "runs/log-parameter", #"{"run_id": "\#(run)", "key": "lr", "value": "0.2"}"#, 400, "INVALID_PARAMETER_VALUE",
                    "Changing param values is not allowed"
                ),
                (
                    "POST", "runs/delete-tag", #"{"run_id": "\#(run)", "key": "nope"}"#, 404, "RESOURCE_DOES_NOT_EXIST",
                    "No tag with name: nope"
                ),
                (
                    "POST", "runs/log-inputs", #"{"run_id": "\#(run)", "datasets": [{"dataset": {"name": "d", "digest": "x"}}]}"#, 400,
                    "INVALID_PARAMETER_VALUE", "'datasets[0].dataset.source_type'"
                ),
                ("POST", "runs/log-metric", #"{"run_id": "\#(run)", "key": "loss""#, 400, "INVALID_PARAMETER_VALUE", "not valid JSON"),
                ("POST", search, filter("metrics.loss >> 1"), 400, "INVALID_PARAMETER_VALUE", "at character 14"),
                ("POST", search, filter("params.lr = 0.1"), 400, "INVALID_PARAMETER_VALUE", "at character 13, expected a quoted string"),
                ("POST", search, filter("metrics.loss < 'low'"), 400, "INVALID_PARAMETER_VALUE", "at character 16, expected a number"),
                ("POST", search, filter("loss < 1"), 400, "INVALID_PARAMETER_VALUE", "at character 1, expected an identifier"),
                ("POST", search, filter("tags.team = 'growth"), 400, "INVALID_PARAMETER_VALUE", "at character 13, this quoted string"),
                ("POST", search, filter("attributes.colour = 'red'"), 400, "INVALID_PARAMETER_VALUE", "unknown attribute 'colour'"),
                (
                    "POST", search, filter("metrics.loss < 1 or metrics.loss > 2"), 400, "INVALID_PARAMETER_VALUE",
                    "at character 18, expected AND"
                ),
                ("POST", search, filter("metrics.loss LIKE '1'"), 400, "INVALID_PARAMETER_VALUE", "not LIKE"),
                (
                    "POST", search, #"{"experiment_ids": ["churn-model"], "order_by": ["colour DESC"]}"#, 400, "INVALID_PARAMETER_VALUE",
                    "unknown attribute 'colour'"
                ),
                (
                    "POST", search, #"{"experiment_ids": ["churn-model"], "page_token": "garbage"}"#, 400, "INVALID_PARAMETER_VALUE",
                    "Invalid page token"
                ),
                (
                    "POST", search, #"{"experiment_ids": ["churn-model"], "max_results": 0}"#, 400, "INVALID_PARAMETER_VALUE",
                    "'max_results'"
                ),
                ("GET", "metrics/get-history?run_id=\(run)", nil, 400, "INVALID_PARAMETER_VALUE", "'metric_key'"),
            ]
            for (method, path, body, status, code, says) in cases {
                let response = try await server.mlflow(method, path, body)
                let label = "\(method) \(path) \(body ?? ""): \(response.status) \(response.text)"
                #expect(response.status == status, "\(label)")
                #expect(response.header("Content-Type") == "application/json", "\(label)")
                #expect(response.json["error_code"]?.stringValue == code, "\(label)")
                #expect(response.json["message"]?.stringValue?.contains(says) == true, "\(label)")
            }
            // Nothing of the refused writes was kept.
            let stored = try await server.request("GET", "/api/experiment-runs/\(run)")
            #expect(stored.json["spec"]?["params"] == ["lr": "0.1"], "\(stored.text)")
            #expect(try await server.request("GET", "/api/experiment-runs/\(run)/metrics").json["items"] == [])
        }
    }

    @Test func searchFiltersOrdersAndPagesAsMLflowDoes() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            var ids: [String] = []
            for (index, loss) in [0.5, 0.2, 0.9].enumerated() {
                let id = try await server.mlflowRun(experiment: "churn-model", name: "r\(index)")
                ids.append(id)
                let batch = #"""
                    {"run_id": "\#(id)", "metrics": [{"key": "loss", "value": \#(loss), "timestamp": 1764180000000, "step": 0}],
                     "params": [{"key": "depth", "value": "\#(index + 3)"}], "tags": [{"key": "team", "value": "\#(index == 2 ? "support" : "growth")"}]}
                    """#
                #expect(try await server.mlflow("POST", "runs/log-batch", batch).status == 200)
            }
            #expect(try await server.mlflow("POST", "runs/update", #"{"run_id": "\#(ids[0])", "status": "FINISHED"}"#).status == 200)
            func found(_ body: String) async throws -> [String] {
                let response = try await server.mlflow("POST", "runs/search", body)
                #expect(response.status == 200, "\(response.text)")
                return response.json["runs"]?.arrayValue?.compactMap { $0["info"]?["run_id"]?.stringValue } ?? []
            }
            let all = #""experiment_ids": ["churn-model"]"#
            #expect(try await found(#"{\#(all), "filter": "metrics.loss < 0.6", "order_by": ["metrics.loss"]}"#) == [ids[1], ids[0]])
            #expect(try await found(#"{\#(all), "filter": "params.depth = '5'"}"#) == [ids[2]])
            #expect(try await found(#"{\#(all), "filter": "tags.team != 'growth'"}"#) == [ids[2]])
            #expect(try await found(#"{\#(all), "filter": "attributes.status = 'FINISHED'"}"#) == [ids[0]])
            #expect(
                try await found(
                    #"{\#(all), "filter": "attributes.run_name LIKE 'r%' and tags.team IN ('growth')", "order_by": ["metrics.loss DESC"]}"#)
                    == [ids[0], ids[1]])
            #expect(try await found(#"{\#(all), "filter": "metrics.accuracy > 0"}"#) == [])
            // Pages of one, in the order asked for.
            var seen: [String] = []
            var token = ""
            repeat {
                let response = try await server.mlflow(
                    "POST", "runs/search", #"{\#(all), "max_results": 1, "order_by": ["metrics.loss ASC"], "page_token": "\#(token)"}"#)
                seen += response.json["runs"]?.arrayValue?.compactMap { $0["info"]?["run_id"]?.stringValue } ?? []
                token = response.json["next_page_token"]?.stringValue ?? ""
            } while !token.isEmpty && seen.count < 10
            #expect(seen == [ids[1], ids[0], ids[2]])
            // Experiments: renamed, deleted, restored, found by name.
            #expect(
                try await server.mlflow("POST", "experiments/update", #"{"experiment_id": "churn-model", "new_name": "Churn Model"}"#)
                    .status == 200)
            #expect(
                try await server.mlflow("GET", "experiments/get-by-name?experiment_name=Churn+Model").json["experiment"]?["experiment_id"]
                    == "churn-model")
            #expect(try await server.mlflow("POST", "experiments/delete", #"{"experiment_id": "churn-model"}"#).status == 200)
            let active = try await server.mlflow("POST", "experiments/search", #"{}"#)
            #expect(active.json["experiments"] == nil || active.json["experiments"] == [], "\(active.text)")
            let deleted = try await server.mlflow("POST", "experiments/search", #"{"view_type": "DELETED_ONLY"}"#)
            #expect(deleted.json["experiments"]?[0]?["lifecycle_stage"]?.stringValue == "deleted", "\(deleted.text)")
            #expect(try await server.mlflow("POST", "runs/create", #"{"experiment_id": "churn-model"}"#).status == 400)
            #expect(try await server.mlflow("POST", "experiments/restore", #"{"experiment_id": "churn-model"}"#).status == 200)
            let named = try await server.mlflow("POST", "experiments/search", #"{"filter": "name LIKE 'Churn%'"}"#)
            #expect(named.json["experiments"]?[0]?["name"]?.stringValue == "Churn Model", "\(named.text)")
            #expect(try await server.auditTrail().contains("mlflow-delete experiment/churn-model"))
        }
    }
}

@Suite("SecurityTests: MLflow run-scoped tokens") struct MLflowSecurityTests {
    /// A run's own token (what its executor gets) logs into that run through MLflow, and into no other.
    @Test func aRunScopedTokenLogsIntoItsOwnRunOnly() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let victim = try await server.mlflowRun(experiment: "churn-model", name: "victim")
            let body =
                #"{"name": "nightly", "command": ["/bin/sh", "-c", "printf 'token=%s\\n' \"$DATAPILOT_RUN_TOKEN\" && exec sleep 60"]}"#
            #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: body).status == 201)
            let token = try await SecurityTokenTests.runToken(server, run: "nightly")

            // Its own run: logging works.
            let own = try await server.mlflow(
                "POST", "runs/log-batch",
                #"{"run_id": "nightly", "metrics": [{"key": "loss", "value": 0.4, "timestamp": 1764180000000}], "tags": [{"key": "t", "value": "v"}]}"#,
                key: token)
            #expect(own.status == 200, "\(own.text)")
            let put = try await server.request(
                "PUT", "/api/2.0/mlflow-artifacts/artifacts/churn-model/nightly/artifacts/own.txt", body: .bytes(Array("ok".utf8)),
                key: token)
            #expect(put.status == 200, "\(put.text)")
            // MLflow's end_run inside an executed run: the executor, not the client, ends it.
            let ended = try await server.mlflow("POST", "runs/update", #"{"run_id": "nightly", "status": "FINISHED"}"#, key: token)
            #expect(ended.status == 200 && ended.json["run_info"]?["status"]?.stringValue == "RUNNING", "\(ended.text)")

            // Any other run: refused, the MLflow way.
            let point = #""key": "loss", "value": 9, "timestamp": 1764180000000"#
            let attacks: [(String, String, String?)] = [
                ("POST", "runs/log-metric", #"{"run_id": "\#(victim)", \#(point)}"#),
                ("POST", "runs/log-metric", #"{"run_uuid": "\#(victim)", \#(point)}"#),
                ("POST", "runs/log-batch", #"{"run_id": "\#(victim)", "metrics": [{\#(point)}]}"#),
                ("POST", "runs/log-parameter", #"{"run_id": "\#(victim)", "key": "lr", "value": "9"}"#),
                ("POST", "runs/set-tag", #"{"run_id": "\#(victim)", "key": "owner", "value": "mallory"}"#),
                ("POST", "runs/delete-tag", #"{"run_id": "\#(victim)", "key": "mlflow.runName"}"#),
                (
                    "POST", "runs/log-inputs",
                    #"{"run_id": "\#(victim)", "datasets": [{"dataset": {"name": "d", "digest": "x", "source_type": "http", "source": "s"}}]}"#
                ),
                ("POST", "runs/update", #"{"run_id": "\#(victim)", "status": "KILLED"}"#),
                ("GET", "runs/get?run_id=\(victim)", nil),
                ("GET", "metrics/get-history?run_id=\(victim)&metric_key=loss", nil),
                ("POST", "runs/search", #"{"experiment_ids": ["churn-model"]}"#),
                ("POST", "runs/create", #"{"experiment_id": "churn-model"}"#),
                ("POST", "experiments/create", #"{"name": "mallory"}"#),
            ]
            for (method, path, json) in attacks {
                let response = try await server.mlflow(method, path, json, key: token)
                #expect(response.status == 403, "\(method) \(path): \(response.status) \(response.text)")
                #expect(response.json["error_code"]?.stringValue == "PERMISSION_DENIED", "\(method) \(path): \(response.text)")
            }
            let upload = try await server.request(
                "PUT", "/api/2.0/mlflow-artifacts/artifacts/churn-model/\(victim)/artifacts/x.txt", body: .bytes(Array("x".utf8)),
                key: token)
            #expect(upload.status == 403 && upload.json["error_code"]?.stringValue == "PERMISSION_DENIED", "\(upload.text)")
            let read = try await server.request(
                "GET", "/api/2.0/mlflow-artifacts/artifacts?path=churn-model/\(victim)/artifacts", key: token)
            #expect(read.status == 403, "\(read.text)")

            // The victim is untouched.
            let stored = try await server.request("GET", "/api/experiment-runs/\(victim)")
            #expect(stored.json["status"]?["state"]?.stringValue == "RUNNING", "\(stored.text)")
            #expect(stored.json["status"]?["tags"]?["owner"] == nil && stored.json["spec"]?["params"] == nil, "\(stored.text)")
            #expect(try await server.request("GET", "/api/experiment-runs/\(victim)/metrics").json["items"] == [])
            #expect(try await server.request("GET", "/api/experiment-runs/\(victim)/artifacts").json["items"] == [])

            // Roles as the run API has them: a viewer reads, an editor writes.
            let viewer = try await server.key(role: "viewer")
            #expect(try await server.mlflow("GET", "runs/get?run_id=\(victim)", key: viewer).status == 200)
            let refused = try await server.mlflow("POST", "runs/log-metric", #"{"run_id": "\#(victim)", \#(point)}"#, key: viewer)
            #expect(refused.status == 403 && refused.json["error_code"]?.stringValue == "PERMISSION_DENIED", "\(refused.text)")
            let anonymous = try await server.mlflow("POST", "runs/log-metric", #"{"run_id": "\#(victim)", \#(point)}"#, key: nil)
            #expect(anonymous.status == 401 && anonymous.json["error_code"]?.stringValue == "UNAUTHENTICATED", "\(anonymous.text)")
        }
    }

    /// A run-scoped token reads only the inputs its run declares. Logging a dataset input through
    /// MLflow with a stored version's digest must not widen that: the input is recorded, the run's
    /// declared inputs (what the token may download) stay as its author wrote them.
    @Test func aRunScopedTokenCannotWidenWhatItMayReadByLoggingAnInput() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "local"]) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("payroll")).status == 201)
            let version = try await server.request(
                "POST", "/api/datasets/payroll/versions/upload?name=payroll-1", body: .bytes(Array("name,salary\nana,1\n".utf8)))
            let sha256 = try #require(version.json["status"]?["sha256"]?.stringValue, "\(version.text)")
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let body =
                #"{"name": "nightly", "command": ["/bin/sh", "-c", "printf 'token=%s\\n' \"$DATAPILOT_RUN_TOKEN\" && exec sleep 60"]}"#
            #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: body).status == 201)
            let token = try await SecurityTokenTests.runToken(server, run: "nightly")
            let download = "/api/datasets/payroll/versions/payroll-1/download"
            #expect(try await server.request("GET", download, key: token).status == 403)

            let logged = try await server.mlflow(
                "POST", "runs/log-inputs",
                #"{"run_id": "nightly", "datasets": [{"dataset": {"name": "payroll", "digest": "\#(sha256)", "source_type": "http", "source": "x"}}]}"#,
                key: token)
            #expect(logged.status == 200, "\(logged.text)")
            let after = try await server.request("GET", download, key: token)
            #expect(after.status == 403, "a run-scoped token widened its own read scope: \(after.status) \(after.text.prefix(200))")
            let run = try await server.request("GET", "/api/experiment-runs/nightly")
            #expect(run.json["status"]?["inputs"] == [], "\(run.text)")
            #expect(run.json["spec"]?["inputs"] == nil, "\(run.text)")
            let seen = try await server.mlflow("GET", "runs/get?run_id=nightly")
            #expect(seen.json["run"]?["inputs"]?["dataset_inputs"]?[0]?["dataset"]?["digest"]?.stringValue == sha256, "\(seen.text)")
        }
    }
}

@Suite("MLflow API: the run's rules") struct MLflowRunRuleTests {
    /// Params are written once per key: a live run may gain keys (MLflow logs them as training
    /// goes), through MLflow or a PUT alike; no key changes, and a finished run gains none.
    @Test func aLiveRunGainsParamsAFinishedOneDoesNot() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let queued = try await server.request(
                "POST", "/api/experiments/churn-model/runs", json: #"{"name": "r1", "params": {"lr": 0.1}}"#)
            #expect(queued.status == 201, "\(queued.text)")
            func put(_ params: String) async throws -> HTTPResponse {
                try await server.request(
                    "PUT", "/api/runs/r1",
                    json: #"{"metadata": {"name": "r1"}, "spec": {"experiment": "churn-model", "params": \#(params)}}"#)
            }
            let gained = try await put(#"{"lr": 0.1, "depth": 4}"#)
            #expect(gained.status == 200 && gained.json["spec"]?["params"]?["depth"]?.numberValue == 4, "\(gained.text)")
            let changed = try await put(#"{"lr": 0.2, "depth": 4}"#)
            #expect(
                changed.status == 409 && changed.json["detail"]?.stringValue?.contains("params never change") == true, "\(changed.text)")
            let dropped = try await put(#"{"lr": 0.1}"#)
            #expect(dropped.status == 409, "\(dropped.text)")
            // Through MLflow: the same rule, in MLflow's words.
            let logged = try await server.mlflow("POST", "runs/log-parameter", #"{"run_id": "r1", "key": "seed", "value": "7"}"#)
            #expect(logged.status == 200, "\(logged.text)")
            let same = try await server.mlflow("POST", "runs/log-parameter", #"{"run_id": "r1", "key": "lr", "value": "0.1"}"#)
            #expect(same.status == 200, "\(same.text)")
            #expect(try await server.mlflow("POST", "runs/update", #"{"run_id": "r1", "status": "FINISHED"}"#).status == 200)
            let finished = try await server.request("GET", "/api/experiment-runs/r1")
            #expect(finished.json["status"]?["state"]?.stringValue == "SUCCEEDED", "\(finished.text)")
            let params = finished.json["spec"]?["params"]
            #expect(
                params?["lr"]?.numberValue == 0.1 && params?["depth"]?.numberValue == 4 && params?["seed"]?.stringValue == "7",
                "\(finished.text)")
            let late = try await server.mlflow("POST", "runs/log-parameter", #"{"run_id": "r1", "key": "late", "value": "1"}"#)
            #expect(late.status == 400 && late.json["error_code"]?.stringValue == "INVALID_PARAMETER_VALUE", "\(late.text)")
            #expect(late.json["message"]?.stringValue?.contains("params never change") == true, "\(late.text)")
            // A finished run keeps its state; MLflow's end_run on it is not an error.
            #expect(
                try await server.mlflow("POST", "runs/update", #"{"run_id": "r1", "status": "FAILED"}"#).json["run_info"]?["status"]
                    == "FINISHED")
        }
    }

    /// MLflow's client sends no heartbeats: an MLflow run stays RUNNING however long it is
    /// silent (an epoch may take hours), as on an MLflow server, until the client ends it; a
    /// run driven through DataPilot's own API, which promises heartbeats, is still reaped.
    @Test func anMLflowRunIsNotLostForWantOfHeartbeats() async throws {
        try await withServer(environment: ["DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "1"]) { server in
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
            let id = try await server.mlflowRun(experiment: "churn-model", name: "silent")
            // Made after the MLflow run, so its heartbeat is the newer: once it is reaped, the
            // reaper has passed over the MLflow run at least once with the timeout long gone.
            #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: #"{"name": "quiet"}"#).status == 201)
            #expect(try await server.request("PUT", "/api/experiment-runs/quiet/state", json: #"{"state": "RUNNING"}"#).status == 200)
            let reaped = try await eventually(30) {
                try await server.request("GET", "/api/experiment-runs/quiet").json["status"]?["state"]?.stringValue == "LOST"
            }
            #expect(reaped, "the heartbeat-promising run was reaped")
            let silent = try await server.request("GET", "/api/experiment-runs/\(id)")
            #expect(silent.json["status"]?["state"]?.stringValue == "RUNNING", "\(silent.text)")
            #expect(try await server.mlflow("GET", "runs/get?run_id=\(id)").json["run"]?["info"]?["status"] == "RUNNING")
            #expect(try await server.mlflow("POST", "runs/update", #"{"run_id": "\#(id)", "status": "FINISHED"}"#).status == 200)
            let ended = try await server.request("GET", "/api/experiment-runs/\(id)")
            #expect(ended.json["status"]?["state"]?.stringValue == "SUCCEEDED", "\(ended.text)")
        }
    }

    /// Split mode: the gateway forwards the MLflow routes to the process running experiments.
    @Test func theGatewayForwardsTheMLflowRoutes() async throws {
        try await withServer(mode: .split) { gateway in
            let created = try await gateway.mlflow("POST", "experiments/create", #"{"name": "Churn Model"}"#)
            let experimentID = try #require(created.json["experiment_id"]?.stringValue, "\(created.text)")
            #expect(experimentID.hasPrefix("churn-model-"))
            let run = try await gateway.mlflowRun(experiment: experimentID, name: "split run")
            #expect(run.hasPrefix("split-run-"))
            let batch = #"{"run_id": "\#(run)", "metrics": [{"key": "loss", "value": 0.5, "timestamp": 1764180000000, "step": 2}]}"#
            #expect(try await gateway.mlflow("POST", "runs/log-batch", batch).status == 200)
            let put = try await gateway.request(
                "PUT", "/api/2.0/mlflow-artifacts/artifacts/\(experimentID)/\(run)/artifacts/plots/loss.txt",
                body: .bytes(Array("0.5".utf8)))
            #expect(put.status == 200, "\(put.text)")
            let listed = try await gateway.request("GET", "/api/2.0/mlflow-artifacts/artifacts?path=\(experimentID)/\(run)/artifacts")
            #expect(listed.json["files"] == [["path": "plots", "is_dir": true]], "\(listed.text)")
            let inner = try await gateway.request("GET", "/api/2.0/mlflow-artifacts/artifacts?path=\(experimentID)/\(run)/artifacts/plots")
            #expect(inner.json["files"] == [["path": "loss.txt", "is_dir": false, "file_size": 3]], "\(inner.text)")
            let file = try await gateway.request(
                "GET", "/api/2.0/mlflow-artifacts/artifacts/\(experimentID)/\(run)/artifacts/plots/loss.txt")
            #expect(file.status == 200 && file.text == "0.5", "\(file.text)")
            let history = try await gateway.mlflow("GET", "metrics/get-history?run_id=\(run)&metric_key=loss")
            #expect(
                history.json["metrics"] == [["key": "loss", "value": .double(0.5), "timestamp": 1_764_180_000_000, "step": 2]],
                "\(history.text)")
            let missing = try await gateway.mlflow("GET", "runs/get?run_id=nope")
            #expect(missing.status == 404 && missing.json["error_code"]?.stringValue == "RESOURCE_DOES_NOT_EXIST", "\(missing.text)")
            // MLflow's web UI asks the same under /ajax-api/, with the same rights and errors.
            let ajax = try await gateway.request("GET", "/ajax-api/2.0/mlflow/metrics/get-history?run_id=\(run)&metric_key=loss")
            #expect(ajax.status == 200 && ajax.json["metrics"] == history.json["metrics"], "\(ajax.text)")
            let ajaxMissing = try await gateway.request("GET", "/ajax-api/2.0/mlflow/runs/get?run_id=nope")
            #expect(ajaxMissing.status == 404 && ajaxMissing.json["error_code"]?.stringValue == "RESOURCE_DOES_NOT_EXIST")
            let anonymous = try await gateway.request("GET", "/ajax-api/2.0/mlflow/runs/get?run_id=\(run)", key: nil)
            #expect(anonymous.status == 401, "\(anonymous.status) \(anonymous.text)")
            let ajaxFile = try await gateway.request(
                "GET", "/ajax-api/2.0/mlflow-artifacts/artifacts/\(experimentID)/\(run)/artifacts/plots/loss.txt")
            #expect(ajaxFile.status == 200 && ajaxFile.text == "0.5", "\(ajaxFile.text)")
            let traversal = try await gateway.request(
                "PUT", "/api/2.0/mlflow-artifacts/artifacts/\(experimentID)/\(run)/artifacts/a/%2E%2E/b.txt", body: .bytes(Array("x".utf8)))
            #expect(
                traversal.status == 400 && traversal.json["message"]?.stringValue?.contains("Invalid artifact path") == true,
                "\(traversal.text)")
        }
    }
}
