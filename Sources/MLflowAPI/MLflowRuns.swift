import Audit
import Experiments
import Foundation
import Hummingbird
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// MLflow's runs over DataPilot's: a run MLflow creates is a DataPilot Run written through the
/// one write path; its params are the run's `spec.params`, its tags the run's tags, its metrics
/// the run's telemetry. Who may do what follows the run API (`RunServices.requireAccess`).
struct MLflowRuns: Sendable {
    let pool: ConnectionPool
    let services: RunServices

    static let maxTagValue = 8000
    static let maxParamValue = 6000

    func register(_ on: MLflowRoutes.Register) {
        on(.post, "/api/2.0/mlflow/runs/create") { request, context in
            try await create(request, context)
        }
        on(.get, "/api/2.0/mlflow/runs/get") { request, context in
            let run = try await MLflowRequest.read(request, context).runID()
            let view = try await pool.withConnection { connection -> MLflowRunView in
                try Self.access(context, run: run, .read, on: connection)
                return try Self.view(run, on: connection)
            }
            return ["run": view.json]
        }
        on(.post, "/api/2.0/mlflow/runs/update") { request, context in
            try await update(request, context)
        }
        on(.post, "/api/2.0/mlflow/runs/search") { request, context in
            try await search(request, context)
        }
        on(.post, "/api/2.0/mlflow/runs/log-metric") { request, context in
            let fields = try await MLflowRequest.read(request, context)
            let run = try fields.runID()
            let point = try Self.metric(fields.fields, at: "")
            try await write(run, context) { principal, connection in
                try RunServices.logMetrics([point], run: run, actor: principal.subject, requestID: context.requestID, on: connection)
            }
            return [:]
        }
        on(.post, "/api/2.0/mlflow/runs/log-parameter") { request, context in
            let fields = try await MLflowRequest.read(request, context)
            let run = try fields.runID()
            let param = try Self.param(fields.fields, at: "")
            try await write(run, context) { principal, connection in
                try addParams([param], run: run, principal: principal, request: request, requestID: context.requestID, on: connection)
            }
            return [:]
        }
        on(.post, "/api/2.0/mlflow/runs/set-tag") { request, context in
            let fields = try await MLflowRequest.read(request, context)
            let run = try fields.runID()
            let tag = try Self.tag(fields.fields, at: "")
            try await write(run, context) { principal, connection in
                try Self.setTags([tag], deleting: [], run: run, actor: principal.subject, requestID: context.requestID, on: connection)
            }
            return [:]
        }
        on(.post, "/api/2.0/mlflow/runs/delete-tag") { request, context in
            let fields = try await MLflowRequest.read(request, context)
            let run = try fields.runID()
            let key = try fields.required("key")
            try await write(run, context) { principal, connection in
                try Self.setTags([], deleting: [key], run: run, actor: principal.subject, requestID: context.requestID, on: connection)
            }
            return [:]
        }
        on(.post, "/api/2.0/mlflow/runs/log-batch") { request, context in
            try await logBatch(request, context)
        }
        on(.post, "/api/2.0/mlflow/runs/log-inputs") { request, context in
            try await logInputs(request, context)
        }
        on(.get, "/api/2.0/mlflow/metrics/get-history") { request, context in
            try await history(request, context)
        }
    }

    // MARK: access and loading

    /// The run-scoped rule of the run API: viewers read, editors write, a run's own token only its own live run.
    @discardableResult
    static func access(_ context: APIRequestContext, run: String, _ need: RunServices.Need, on connection: Connection) throws
        -> Principal
    {
        if context.principal == nil { try context.require(need == .read ? .viewer : .editor) }
        let principal = try RunServices.requireAccess(context, run: run, need, on: connection)
        guard try RunRecord.load(run, on: connection) != nil else { throw MLflowError.missing("Run with id=\(run) not found") }
        return principal
    }

    static func view(_ run: String, on connection: Connection) throws -> MLflowRunView {
        guard let record = try RunRecord.load(run, on: connection) else { throw MLflowError.missing("Run with id=\(run) not found") }
        return try MLflowRunView.load([record], on: connection)[0]
    }

    /// A write to `run` in one transaction, after the access check.
    func write(
        _ run: String, _ context: APIRequestContext, _ body: @escaping @Sendable (Principal, Connection) throws -> Void
    ) async throws {
        if context.principal == nil { try context.require(.editor) }
        try await pool.withTransaction { connection -> Void in
            let principal = try Self.access(context, run: run, .report, on: connection)
            try body(principal, connection)
        }
    }

    // MARK: fields

    static func tag(_ item: JSONValue, at path: String) throws -> (String, String) {
        try keyValue(item, at: path, of: "tag", limit: maxTagValue)
    }

    static func param(_ item: JSONValue, at path: String) throws -> (String, String) {
        try keyValue(item, at: path, of: "param", limit: maxParamValue)
    }

    /// A `{"key", "value"}` pair of strings (a tag or a param), checked as MLflow checks it.
    static func keyValue(_ item: JSONValue, at path: String, of what: String, limit: Int) throws -> (String, String) {
        let prefix = path.isEmpty ? "" : path + "."
        guard let key = item["key"]?.stringValue, !key.isEmpty else {
            throw MLflowError.invalid("Missing value for required parameter '\(prefix)key'.")
        }
        guard key.utf8.count <= 250 else { throw MLflowError.invalid("'\(prefix)key' exceeds the maximum length of 250 bytes") }
        guard let raw = item["value"], raw != .null else {
            throw MLflowError.invalid("Missing value for required parameter '\(prefix)value'.")
        }
        guard let value = raw.stringValue else { throw MLflowRequest.type("\(prefix)value", "a string", raw) }
        guard value.utf8.count <= limit else {
            throw MLflowError.invalid("'\(prefix)value' of \(what) '\(key)' exceeds the maximum length of \(limit) bytes")
        }
        return (key, value)
    }

    static func metric(_ item: JSONValue, at path: String) throws -> RunServices.MetricPoint {
        let prefix = path.isEmpty ? "" : path + "."
        guard let key = item["key"]?.stringValue, !key.isEmpty else {
            throw MLflowError.invalid("Missing value for required parameter '\(prefix)key'.")
        }
        guard key.utf8.count <= 250 else { throw MLflowError.invalid("'\(prefix)key' exceeds the maximum length of 250 bytes") }
        guard let rawValue = item["value"], rawValue != .null else {
            throw MLflowError.invalid("Missing value for required parameter '\(prefix)value'.")
        }
        let value = try MLflowRequest.double(rawValue, at: "\(prefix)value")
        guard value.isFinite else {
            throw MLflowError.invalid("'\(prefix)value' of metric '\(key)' is \(value): DataPilot stores finite metric values only")
        }
        guard let rawTime = item["timestamp"], rawTime != .null else {
            throw MLflowError.invalid("Missing value for required parameter '\(prefix)timestamp'.")
        }
        let millis = try MLflowRequest.int64(rawTime, at: "\(prefix)timestamp")
        guard millis >= 0, millis < 100_000_000_000_000 else {
            throw MLflowError.invalid("'\(prefix)timestamp' must be epoch milliseconds, got \(millis)")
        }
        let step = try item["step"].flatMap { $0 == .null ? nil : $0 }.map { try MLflowRequest.int64($0, at: "\(prefix)step") } ?? 0
        return RunServices.MetricPoint(key: key, value: value, step: step, millis: millis)
    }

    // MARK: writes

    /// Params join the run's `spec.params` through the one write path: a key keeps its value
    /// (MLflow's rule and DataPilot's), a live run may gain keys.
    func addParams(
        _ params: [(String, String)], run: String, principal: Principal, request: Request, requestID: String, on connection: Connection
    ) throws {
        guard !params.isEmpty else { return }
        var seen: [String: String] = [:]
        for (key, value) in params {
            if let earlier = seen[key], earlier != value {
                throw MLflowError.invalid("Duplicate parameter keys have been submitted: '\(key)' with values '\(earlier)' and '\(value)'")
            }
            seen[key] = value
        }
        _ = try services.runObjects.change(
            run, principal: principal, source: SourceContext(request: request, principal: principal), requestID: requestID,
            on: connection
        ) { spec in
            var existing = spec["params"]?.objectValue ?? []
            for (key, value) in params {
                if let old = existing.first(where: { $0.key == key }) {
                    let oldText = MLflowRunView.text(old.value)
                    guard oldText == value else {
                        throw MLflowError.invalid(
                            "Changing param values is not allowed. Param with key='\(key)' was already logged with value='\(oldText)' for run ID='\(run)'. Attempted logging new value '\(value)'."
                        )
                    }
                } else {
                    existing.append(JSONMember(key, .string(value)))
                }
            }
            var members = spec.objectValue ?? []
            if let index = members.firstIndex(where: { $0.key == "params" }) {
                members[index].value = .object(existing)
            } else {
                members.append(JSONMember("params", .object(existing)))
            }
            return .object(members)
        }
    }

    /// Sets and deletes tags of the run (its server-owned tags), audited.
    static func setTags(
        _ tags: [(String, String)], deleting: [String], run: String, actor: String, requestID: String, on connection: Connection
    ) throws {
        guard !tags.isEmpty || !deleting.isEmpty else { return }
        guard let record = try RunRecord.load(run, on: connection) else { throw MLflowError.missing("Run with id=\(run) not found") }
        var members = record.tags.objectValue ?? []
        for key in deleting {
            guard let index = members.firstIndex(where: { $0.key == key }) else {
                throw MLflowError.missing("No tag with name: \(key) in run with id \(run)")
            }
            members.remove(at: index)
        }
        for (key, value) in tags {
            if let index = members.firstIndex(where: { $0.key == key }) {
                members[index].value = .string(value)
            } else {
                members.append(JSONMember(key, .string(value)))
            }
        }
        _ = try RunLedger.setTags(run, .object(members), actor: actor, requestID: requestID, on: connection)
    }

    func logBatch(_ request: Request, _ context: APIRequestContext) async throws -> JSONValue {
        let fields = try await MLflowRequest.read(request, context)
        let run = try fields.runID()
        let metrics = try fields.array("metrics").enumerated().map { try Self.metric($1, at: "metrics[\($0)]") }
        let params = try fields.array("params").enumerated().map { try Self.param($1, at: "params[\($0)]") }
        let tags = try fields.array("tags").enumerated().map { try Self.tag($1, at: "tags[\($0)]") }
        guard metrics.count <= 1000, params.count <= 100, tags.count <= 100, metrics.count + params.count + tags.count <= 1000 else {
            throw MLflowError.invalid(
                "A batch logging request can contain at most 1000 metrics, 100 params and 100 tags, 1000 in all; got \(metrics.count) metrics, \(params.count) params and \(tags.count) tags"
            )
        }
        let requestID = context.requestID
        try await write(run, context) { principal, connection in
            try addParams(params, run: run, principal: principal, request: request, requestID: requestID, on: connection)
            try Self.setTags(tags, deleting: [], run: run, actor: principal.subject, requestID: requestID, on: connection)
            try RunServices.logMetrics(metrics, run: run, actor: principal.subject, requestID: requestID, on: connection)
        }
        return [:]
    }

    /// Datasets the run read. One whose digest is a stored DatasetVersion's sha256 becomes the
    /// run's input (`spec.inputs`): pinned, with its lineage edge, as a run manifest's inputs are;
    /// except when a run-scoped token logs it, since a run's inputs are what its token may read.
    func logInputs(_ request: Request, _ context: APIRequestContext) async throws -> JSONValue {
        let fields = try await MLflowRequest.read(request, context)
        let run = try fields.runID()
        var inputs: [(name: String, digest: String, dataset: JSONValue, tags: JSONValue)] = []
        for (index, item) in try fields.array("datasets").enumerated() {
            let at = "datasets[\(index)]"
            guard let dataset = item["dataset"], dataset.objectValue != nil else {
                throw MLflowError.invalid("Missing value for required parameter '\(at).dataset'.")
            }
            var members: [JSONMember] = []
            for field in ["name", "digest", "source_type", "source"] {
                guard let value = dataset[field]?.stringValue, !value.isEmpty else {
                    throw MLflowError.invalid("Missing value for required parameter '\(at).dataset.\(field)'.")
                }
                guard value.utf8.count <= 65_536 else { throw MLflowError.invalid("'\(at).dataset.\(field)' is over 65536 bytes") }
                members.append(JSONMember(field, .string(value)))
            }
            for field in ["schema", "profile"] {
                if let value = dataset[field], value != .null {
                    guard let text = value.stringValue else { throw MLflowRequest.type("\(at).dataset.\(field)", "a string", value) }
                    guard text.utf8.count <= 1 << 20 else { throw MLflowError.invalid("'\(at).dataset.\(field)' is over 1 MiB") }
                    members.append(JSONMember(field, .string(text)))
                }
            }
            var tags: [JSONValue] = []
            for (t, tag) in (item["tags"]?.arrayValue ?? []).enumerated() {
                let (key, value) = try Self.tag(tag, at: "\(at).tags[\(t)]")
                tags.append(["key": .string(key), "value": .string(value)])
            }
            inputs.append((members[0].value.stringValue!, members[1].value.stringValue!, .object(members), .array(tags)))
        }
        guard inputs.count <= 1000 else { throw MLflowError.invalid("a request logs at most 1000 datasets; got \(inputs.count)") }
        let requestID = context.requestID
        let logged = inputs
        try await write(run, context) { principal, connection in
            var versions: [String] = []
            for input in logged {
                let hex =
                    input.digest.lowercased().hasPrefix("sha256:")
                    ? String(input.digest.dropFirst(7)).lowercased() : input.digest.lowercased()
                let version = try connection.query("select name from dataset_versions where sha256 = $1 order by name limit 1", [hex])
                    .first?[
                        "name"]
                try connection.query(
                    """
                    insert into mlflow_run_inputs (run, name, digest, dataset, tags, dataset_version) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6)
                    on conflict (run, name, digest) do update set tags = excluded.tags
                    """, [run, input.name, input.digest, input.dataset.jsonString(), input.tags.jsonString(), version])
                if let version { versions.append(version) }
            }
            try AuditLog.append(
                AuditDraft(
                    actor: principal.subject, action: "log-inputs", resource: "run/\(run)", requestID: requestID,
                    after: [
                        "datasets": .array(logged.map { ["name": .string($0.name), "digest": .string($0.digest)] }),
                        "datasetVersions": .array(versions.map(JSONValue.string)),
                    ]), on: connection)
            // A run-scoped token reads only the inputs its run declares (RunScope.mayRead): it must not
            // widen them itself. Its datasets are recorded above; the declared inputs stay its author's.
            guard !versions.isEmpty, principal.role != .runner else { return }
            _ = try services.runObjects.change(
                run, principal: principal, source: SourceContext(request: request, principal: principal), requestID: requestID,
                on: connection
            ) { spec in
                var listed = spec["inputs"]?.arrayValue ?? []
                for version in versions where !listed.contains(where: { $0["datasetVersion"]?.stringValue == version }) {
                    listed.append(["datasetVersion": .string(version)])
                }
                var members = spec.objectValue ?? []
                if let index = members.firstIndex(where: { $0.key == "inputs" }) {
                    members[index].value = .array(listed)
                } else {
                    members.append(JSONMember("inputs", .array(listed)))
                }
                return .object(members)
            }
        }
        return [:]
    }
}
