import Experiments
import Foundation
import Hummingbird
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

extension MLflowRuns {
    /// `runs/create`: a DataPilot Run of the experiment, RUNNING from the start (MLflow's runs are
    /// started by the code that creates them). Tags are the run's tags; `mlflow.source.git.*`
    /// tags with a full commit become its `spec.code` (and its lineage edge).
    func create(_ request: Request, _ context: APIRequestContext) async throws -> JSONValue {
        let principal = try context.require(.editor)
        let fields = try await MLflowRequest.read(request, context)
        let experimentID = try fields.string("experiment_id") ?? "0"
        var tags: [JSONMember] = []
        for (index, item) in try fields.array("tags").enumerated() {
            let (key, value) = try Self.tag(item, at: "tags[\(index)]")
            if let at = tags.firstIndex(where: { $0.key == key }) {
                tags[at].value = .string(value)
            } else {
                tags.append(JSONMember(key, .string(value)))
            }
        }
        let runName =
            try fields.string("run_name").flatMap { $0.isEmpty ? nil : $0 } ?? tags.first { $0.key == "mlflow.runName" }?.value.stringValue
        if let runName, runName.utf8.count > 250 { throw MLflowError.invalid("'run_name' exceeds the maximum length of 250 bytes") }
        if experimentID == "0" { try await ensureDefaultExperiment(principal: principal, request: request, requestID: context.requestID) }
        let experiment = try await pool.withConnection { try MLflowExperiments.load(id: experimentID, on: $0) }
        guard experiment.stage == "active" else {
            throw MLflowError.invalid("The experiment \(experimentID) must be in the 'active' state. Current state is \(experiment.stage).")
        }
        let name = MLflowNames.newRun(runName)
        let shownName = runName ?? name
        if let at = tags.firstIndex(where: { $0.key == "mlflow.runName" }) {
            tags[at].value = .string(shownName)
        } else {
            tags.append(JSONMember("mlflow.runName", .string(shownName)))
        }
        var spec = [JSONMember("experiment", .string(experiment.name))]
        if let commit = tags.first(where: { $0.key == "mlflow.source.git.commit" })?.value.stringValue,
            StringFormat.commitSHA.accepts(commit),
            let repository = tags.first(where: { $0.key == "mlflow.source.git.repoURL" })?.value.stringValue, !repository.isEmpty
        {
            spec.append(JSONMember("code", ["repository": .string(repository), "commit": .string(commit)]))
        }
        let tagJSON = JSONValue.object(tags).jsonString()
        _ = try await services.runObjects.create(
            ObjectDraft(name: name, spec: .object(spec)), principal: principal, idempotency: nil,
            source: SourceContext(request: request, principal: principal), requestID: context.requestID, dryRun: false
        ) { connection in
            // MLflow's client sends no heartbeats; the run ends when the client ends it.
            try connection.query("update runs set tags = $2::jsonb, heartbeats = false where name = $1", [name, tagJSON])
        }
        let requestID = context.requestID
        let view = try await pool.withTransaction { connection -> MLflowRunView in
            try RunLedger.transition(name, to: .running, actor: principal.subject, requestID: requestID, on: connection)
            return try Self.view(name, on: connection)
        }
        return ["run": view.json]
    }

    /// MLflow's experiment `0`: DataPilot's Experiment `default`, made on first use.
    func ensureDefaultExperiment(principal: Principal, request: Request, requestID: String) async throws {
        let exists = try await pool.withConnection {
            try !$0.query("select 1 from experiments where name = $1", [MLflowNames.defaultExperiment]).isEmpty
        }
        if exists { return }
        let outcome = try? await services.experimentObjects.create(
            ObjectDraft(name: MLflowNames.defaultExperiment, spec: ["description": "MLflow's default experiment"]), principal: principal,
            idempotency: nil, source: SourceContext(request: request, principal: principal), requestID: requestID, dryRun: false
        ) { connection in
            try connection.query(
                "insert into mlflow_experiments (experiment, display_name) values ($1, 'Default') on conflict do nothing",
                [MLflowNames.defaultExperiment])
        }
        _ = outcome  // a concurrent first use made it: fine.
    }

    /// `runs/update`: MLflow's status becomes the run's state (FINISHED is SUCCEEDED, KILLED is
    /// CANCELLED); a finished run keeps its state, and so does a run an executor runs (the
    /// process's exit decides there). `run_name` is the `mlflow.runName` tag.
    func update(_ request: Request, _ context: APIRequestContext) async throws -> JSONValue {
        let fields = try await MLflowRequest.read(request, context)
        let run = try fields.runID()
        let runName = try fields.string("run_name")
        let target: RunState? = try fields.string("status").map { status -> RunState in
            switch status {
            case "RUNNING": return .running
            case "SCHEDULED": return .queued
            case "FINISHED": return .succeeded
            case "FAILED": return .failed
            case "KILLED": return .cancelled
            default:
                throw MLflowError.invalid(
                    "Invalid value \"\(status)\" for parameter 'status' supplied: it must be one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED"
                )
            }
        }
        _ = try fields.int64("end_time")
        let requestID = context.requestID
        try await write(run, context) { principal, connection in
            if let runName, !runName.isEmpty {
                try Self.setTags(
                    [("mlflow.runName", runName)], deleting: [], run: run, actor: principal.subject, requestID: requestID, on: connection)
            }
            // An executed run's state is its executor's (from the process's exit): the client's word is not final there.
            guard let target, let record = try RunRecord.load(run, on: connection), record.state != target, !record.state.isFinal,
                target != .queued, record.executor == nil
            else { return }
            if record.state == .queued, target == .succeeded {
                try RunLedger.transition(run, to: .running, actor: principal.subject, requestID: requestID, on: connection)
            }
            try RunLedger.transition(run, to: target, actor: principal.subject, requestID: requestID, on: connection)
        }
        let view = try await pool.withConnection { try Self.view(run, on: $0) }
        return ["run_info": view.info]
    }

    static func stages(_ viewType: String?) throws -> Set<String> {
        switch viewType ?? "ACTIVE_ONLY" {
        case "ACTIVE_ONLY", "1": return ["active"]
        case "DELETED_ONLY", "2": return ["deleted"]
        case "ALL", "3": return ["active", "deleted"]
        case let other:
            throw MLflowError.invalid(
                "Invalid value \"\(other)\" for parameter 'view_type' supplied: it must be ACTIVE_ONLY, DELETED_ONLY or ALL")
        }
    }

    /// `runs/search`: the runs of the experiments named, filtered, ordered and paged as MLflow does.
    func search(_ request: Request, _ context: APIRequestContext) async throws -> JSONValue {
        try context.require(.viewer)
        let fields = try await MLflowRequest.read(request, context)
        let experiments = try fields.array("experiment_ids").enumerated().map { index, item -> String in
            guard let id = item.stringValue ?? item.numberValue.map({ String(Int64($0)) }) else {
                throw MLflowRequest.type("experiment_ids[\(index)]", "an experiment id", item)
            }
            return MLflowNames.experiment(id: id)
        }
        let filter = try RunFilter(try fields.string("filter") ?? "")
        let stages = try Self.stages(try fields.string("run_view_type"))
        let maxResults = Int(try fields.int64("max_results") ?? 1000)
        guard (1...50_000).contains(maxResults) else {
            throw MLflowError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied: it must be 1 to 50000")
        }
        let order = try MLflowOrder(
            fields.array("order_by"), attributes: RunFilter.numericAttributes.union(RunFilter.textAttributes))
        let offset = try MLflowPage.offset(try fields.string("page_token"))
        guard stages.contains("active"), !experiments.isEmpty else { return ["runs": []] }
        let views = try await pool.withConnection { connection in
            try MLflowRunView.load(RunServices.runs(ofExperiments: experiments, on: connection), on: connection)
        }
        let matching = views.filter { view in
            filter.matches(
                metric: { key in view.metrics.first { $0.key == key }?.value }, param: { key in view.params.first { $0.0 == key }?.1 },
                tag: { key in view.tags.first { $0.0 == key }?.1 }, attribute: { view.value(.attribute, $0) })
        }
        let sorted = order.sort(matching, tieBreak: { ($0.startTime ?? 0, $1.id) > ($1.startTime ?? 0, $0.id) }) { view, key in
            view.value(key.entity, key.key)
        }
        let page = sorted.dropFirst(offset).prefix(maxResults)
        var members = [JSONMember("runs", .array(page.map(\.json)))]
        if offset + maxResults < sorted.count {
            members.append(JSONMember("next_page_token", .string(MLflowPage.token(offset + maxResults))))
        }
        return .object(members)
    }

    /// `metrics/get-history`: every point of one metric in (step, time) order; `max_results`
    /// and `page_token` page it (without `max_results`, up to 250,000 points at once).
    func history(_ request: Request, _ context: APIRequestContext) async throws -> JSONValue {
        let fields = try await MLflowRequest.read(request, context)
        let run = try fields.runID()
        let key = try fields.required("metric_key")
        let limit = Int(try fields.int64("max_results") ?? 250_000)
        guard (1...250_000).contains(limit) else {
            throw MLflowError.invalid("Invalid value \(limit) for parameter 'max_results' supplied: it must be 1 to 250000")
        }
        let after: (step: Int64, millis: Int64)? = try fields.string("page_token").flatMap { token -> (step: Int64, millis: Int64)? in
            if token.isEmpty { return nil }
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
            let parts = text.split(separator: "/")
            guard parts.count == 2, let step = Int64(parts[0]), let millis = Int64(parts[1]) else { return nil }
            return (step, millis)
        }
        if let token = try fields.string("page_token"), !token.isEmpty, after == nil {
            throw MLflowError.invalid("Invalid page token '\(token.prefix(64))': it is not one this server issued")
        }
        let points = try await pool.withConnection { connection -> [RunServices.MetricPoint] in
            try Self.access(context, run: run, .read, on: connection)
            return try RunServices.metricHistory(run: run, key: key, after: after, limit: limit + 1, on: connection)
        }
        let shown = points.prefix(limit)
        var members = [
            JSONMember(
                "metrics",
                .array(
                    shown.map { ["key": .string($0.key), "value": .double($0.value), "timestamp": .int($0.millis), "step": .int($0.step)] })
            )
        ]
        if points.count > limit, let last = shown.last {
            members.append(JSONMember("next_page_token", .string(Data("\(last.step)/\(last.millis)".utf8).base64EncodedString())))
        }
        return .object(members)
    }
}
