import Experiments
import Foundation
import Manifests
import ObjectAPI
import Postgres

/// A DataPilot run as MLflow's `Run`: info (ids, status, times, artifact URI), data (latest
/// metrics, params, tags) and inputs (the datasets it logged).
struct MLflowRunView: Sendable {
    var record: RunRecord
    var metrics: [RunServices.MetricPoint]
    var inputs: [JSONValue]

    var id: String { record.name }
    var experimentID: String { MLflowNames.experimentID(record.experiment) }
    var tags: [(String, String)] {
        (record.tags.objectValue ?? []).compactMap { member in member.value.stringValue.map { (member.key, $0) } }
    }
    var params: [(String, String)] { (record.spec["params"]?.objectValue ?? []).map { ($0.key, Self.text($0.value)) } }
    var runName: String { record.tags["mlflow.runName"]?.stringValue ?? record.name }
    var userID: String { record.tags["mlflow.user"]?.stringValue ?? record.object["metadata"]?["createdBy"]?.stringValue ?? "" }
    var startTime: Int64? { Self.millis(record.startedAt) ?? Self.millis(record.object["metadata"]?["createdAt"]?.stringValue) }
    var endTime: Int64? { Self.millis(record.finishedAt) }
    var status: String { Self.status(record.state) }
    var artifactURI: String { "mlflow-artifacts:/\(experimentID)/\(id)/artifacts" }

    static func status(_ state: RunState) -> String {
        switch state {
        case .queued: return "SCHEDULED"
        case .running: return "RUNNING"
        case .succeeded: return "FINISHED"
        case .failed, .lost: return "FAILED"
        case .cancelled: return "KILLED"
        }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let n): return String(n)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        default: return value.jsonString()
        }
    }

    static func millis(_ text: String?) -> Int64? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    var info: JSONValue {
        var members: [JSONMember] = [
            JSONMember("run_id", .string(id)), JSONMember("run_uuid", .string(id)), JSONMember("run_name", .string(runName)),
            JSONMember("experiment_id", .string(experimentID)), JSONMember("user_id", .string(userID)),
            JSONMember("status", .string(status)),
        ]
        if let startTime { members.append(JSONMember("start_time", .int(startTime))) }
        if let endTime { members.append(JSONMember("end_time", .int(endTime))) }
        members += [JSONMember("artifact_uri", .string(artifactURI)), JSONMember("lifecycle_stage", "active")]
        return .object(members)
    }

    var json: JSONValue {
        let pairs: ([(String, String)]) -> JSONValue = { .array($0.map { ["key": .string($0.0), "value": .string($0.1)] }) }
        return [
            "info": info,
            "data": [
                "metrics": .array(
                    metrics.map {
                        ["key": .string($0.key), "value": .double($0.value), "timestamp": .int($0.millis), "step": .int($0.step)]
                    }),
                "params": pairs(params), "tags": pairs(tags),
            ],
            "inputs": ["dataset_inputs": .array(inputs)],
        ]
    }

    /// The value of a filter's or an order's key for this run.
    func value(_ entity: RunFilter.Entity, _ key: String) -> RunFilter.Value {
        switch entity {
        case .metric: return metrics.first { $0.key == key }.map { .number($0.value) } ?? .missing
        case .param: return params.first { $0.0 == key }.map { .text($0.1) } ?? .missing
        case .tag: return tags.first { $0.0 == key }.map { .text($0.1) } ?? .missing
        case .attribute:
            switch key {
            case "status": return .text(status)
            case "run_name": return .text(runName)
            case "run_id": return .text(id)
            case "user_id": return .text(userID)
            case "artifact_uri": return .text(artifactURI)
            case "lifecycle_stage": return .text("active")
            case "experiment_id": return .text(experimentID)
            case "start_time", "created": return startTime.map { .number(Double($0)) } ?? .missing
            case "end_time": return endTime.map { .number(Double($0)) } ?? .missing
            default: return .missing
            }
        }
    }

    /// The views of `records`: latest metrics in one query, inputs when `withInputs`.
    static func load(_ records: [RunRecord], withInputs: Bool = true, on connection: Connection) throws -> [MLflowRunView] {
        guard !records.isEmpty else { return [] }
        let names = records.map(\.name)
        var metrics: [String: [RunServices.MetricPoint]] = [:]
        let array = "{" + names.map { "\"" + $0 + "\"" }.joined(separator: ",") + "}"
        for row in try connection.query(
            """
            select distinct on (run, key) run, key, value::text as value, step, (extract(epoch from at) * 1000)::bigint as ms
            from run_metrics where run = any($1::text[]) order by run, key, step desc, at desc
            """, [array])
        {
            metrics[row["run"]!, default: []].append(
                RunServices.MetricPoint(
                    key: row["key"]!, value: Double(row["value"]!) ?? 0, step: row.int("step") ?? 0, millis: row.int("ms") ?? 0))
        }
        var inputs: [String: [JSONValue]] = [:]
        if withInputs {
            for row in try connection.query(
                "select run, dataset::text as dataset, tags::text as tags from mlflow_run_inputs where run = any($1::text[]) order by logged_at, name",
                [array])
            {
                inputs[row["run"]!, default: []].append([
                    "tags": ObjectJSON.parse(row["tags"]), "dataset": ObjectJSON.parse(row["dataset"]),
                ])
            }
        }
        return records.map { MLflowRunView(record: $0, metrics: metrics[$0.name] ?? [], inputs: inputs[$0.name] ?? []) }
    }
}
