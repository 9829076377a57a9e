import Audit
import Experiments
import Foundation
import Hummingbird
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

/// MLflow's experiments over DataPilot's: create, get, get-by-name, search, rename, delete and
/// restore. The experiment is DataPilot's own object; its MLflow name, stage and tags sit beside it.
struct MLflowExperiments: Sendable {
    let pool: ConnectionPool
    let services: RunServices

    /// One experiment as MLflow sees it.
    struct View: Sendable {
        var name: String
        var displayName: String
        var stage: String
        var tags: [(String, String)]
        var created: Int64
        var updated: Int64

        var json: JSONValue {
            let id = MLflowNames.experimentID(name)
            return [
                "experiment_id": .string(id), "name": .string(displayName), "artifact_location": .string("mlflow-artifacts:/\(id)"),
                "lifecycle_stage": .string(stage), "creation_time": .int(created), "last_update_time": .int(updated),
                "tags": .array(tags.map { ["key": .string($0.0), "value": .string($0.1)] }),
            ]
        }
    }

    static let select = """
        select e.name, coalesce(m.display_name, e.name) as display_name, coalesce(m.lifecycle_stage, 'active') as stage,
            coalesce(m.tags, '{}')::text as tags, e.spec->>'description' as description,
            (extract(epoch from e.created_at) * 1000)::bigint as created,
            (extract(epoch from greatest(e.updated_at, coalesce(m.updated_at, e.updated_at))) * 1000)::bigint as updated
        from experiments e left join mlflow_experiments m on m.experiment = e.name
        """

    static func view(_ row: Row) -> View {
        var tags = (ObjectJSON.parse(row["tags"]).objectValue ?? []).compactMap { member in
            member.value.stringValue.map { (member.key, $0) }
        }
        if let description = row["description"], !tags.contains(where: { $0.0 == "mlflow.note.content" }) {
            tags.append(("mlflow.note.content", description))
        }
        return View(
            name: row["name"]!, displayName: row["display_name"]!, stage: row["stage"]!, tags: tags,
            created: row.int("created") ?? 0, updated: row.int("updated") ?? 0)
    }

    static func load(id: String, on connection: Connection) throws -> View {
        let name = MLflowNames.experiment(id: id)
        guard let row = try connection.query(select + " where e.name = $1", [name]).first else {
            throw MLflowError.missing("No Experiment with id=\(id) exists")
        }
        return view(row)
    }

    static func load(displayName: String, on connection: Connection) throws -> View? {
        try connection.query(
            select + " where coalesce(m.display_name, e.name) = $1 order by (m.experiment is null), e.name limit 1", [displayName]
        ).first.map(view)
    }

    func register(_ on: MLflowRoutes.Register) {
        on(.post, "/api/2.0/mlflow/experiments/create") { request, context in
            let principal = try context.require(.editor)
            let fields = try await MLflowRequest.read(request, context)
            let id = try await create(fields, principal: principal, request: request, requestID: context.requestID)
            return ["experiment_id": .string(id)]
        }
        on(.get, "/api/2.0/mlflow/experiments/get") { request, context in
            try context.require(.viewer)
            let id = try await MLflowRequest.read(request, context).required("experiment_id")
            let view = try await pool.withConnection { try Self.load(id: id, on: $0) }
            return ["experiment": view.json]
        }
        on(.get, "/api/2.0/mlflow/experiments/get-by-name") { request, context in
            try context.require(.viewer)
            let name = try await MLflowRequest.read(request, context).required("experiment_name")
            guard let view = try await pool.withConnection({ try Self.load(displayName: name, on: $0) }) else {
                throw MLflowError.missing("Could not find experiment with name '\(name)'")
            }
            return ["experiment": view.json]
        }
        on(.post, "/api/2.0/mlflow/experiments/search") { request, context in
            try context.require(.viewer)
            return try await search(try await MLflowRequest.read(request, context))
        }
        on(.post, "/api/2.0/mlflow/experiments/update") { request, context in
            let principal = try context.require(.editor)
            let fields = try await MLflowRequest.read(request, context)
            let (id, newName) = (try fields.required("experiment_id"), try fields.required("new_name"))
            let requestID = context.requestID
            try await pool.withTransaction { connection -> Void in
                let view = try Self.load(id: id, on: connection)
                if view.displayName == newName { return }
                if let other = try Self.load(displayName: newName, on: connection), other.name != view.name {
                    throw MLflowError(.resourceAlreadyExists, "Experiment(name=\(newName)) already exists.")
                }
                try Self.upsert(view.name, displayName: newName, stage: view.stage, on: connection)
                try AuditLog.append(
                    AuditDraft(
                        actor: principal.subject, action: "mlflow-rename", resource: "experiment/\(view.name)", requestID: requestID,
                        before: ["name": .string(view.displayName)], after: ["name": .string(newName)]), on: connection)
            }
            return [:]
        }
        for (path, stage) in [("delete", "deleted"), ("restore", "active")] {
            on(.post, "/api/2.0/mlflow/experiments/\(path)") { request, context in
                let principal = try context.require(.editor)
                let id = try await MLflowRequest.read(request, context).required("experiment_id")
                let requestID = context.requestID
                try await pool.withTransaction { connection -> Void in
                    let view = try Self.load(id: id, on: connection)
                    if view.stage == stage { return }
                    try Self.upsert(view.name, displayName: view.displayName, stage: stage, on: connection)
                    try AuditLog.append(
                        AuditDraft(
                            actor: principal.subject, action: "mlflow-\(path)", resource: "experiment/\(view.name)", requestID: requestID,
                            before: ["lifecycleStage": .string(view.stage)], after: ["lifecycleStage": .string(stage)]), on: connection)
                }
                return [:]
            }
        }
    }

    static func upsert(_ name: String, displayName: String, stage: String, on connection: Connection) throws {
        try connection.query(
            """
            insert into mlflow_experiments (experiment, display_name, lifecycle_stage) values ($1, $2, $3)
            on conflict (experiment) do update set display_name = $2, lifecycle_stage = $3, updated_at = now()
            """, [name, displayName, stage])
    }

    /// A new experiment: a DataPilot Experiment through the one write path, its MLflow name beside it.
    func create(_ fields: MLflowRequest, principal: Principal, request: Request, requestID: String) async throws -> String {
        let displayName = try fields.required("name")
        guard displayName.utf8.count <= 500 else { throw MLflowError.invalid("'name' exceeds the maximum length of 500 bytes") }
        var tags: [JSONMember] = []
        for (index, tag) in try fields.array("tags").enumerated() {
            let (key, value) = try MLflowRuns.tag(tag, at: "tags[\(index)]")
            tags.append(JSONMember(key, .string(value)))
        }
        let taken = try await pool.withConnection { connection -> Bool in
            if try Self.load(displayName: displayName, on: connection) != nil {
                throw MLflowError(.resourceAlreadyExists, "Experiment(name=\(displayName)) already exists.")
            }
            return try !connection.query("select 1 from experiments where name = $1", [displayName]).isEmpty
        }
        let name = MLflowNames.newExperiment(displayName, taken: taken)
        let tagJSON = JSONValue.object(tags).jsonString()
        let outcome = try await services.experimentObjects.create(
            ObjectDraft(name: name, spec: .object([])), principal: principal, idempotency: nil,
            source: SourceContext(request: request, principal: principal), requestID: requestID, dryRun: false
        ) { connection in
            try connection.query(
                "insert into mlflow_experiments (experiment, display_name, tags) values ($1, $2, $3::jsonb)", [name, displayName, tagJSON])
        }
        guard outcome.status == 201 else { throw MLflowError(.resourceAlreadyExists, "Experiment(name=\(displayName)) already exists.") }
        return MLflowNames.experimentID(name)
    }

    /// `experiments/search`: view type, a filter on name and tags, order and pages.
    func search(_ fields: MLflowRequest) async throws -> JSONValue {
        let maxResults = Int(try fields.int64("max_results") ?? 1000)
        guard (1...50_000).contains(maxResults) else {
            throw MLflowError.invalid("Invalid value \(maxResults) for parameter 'max_results' supplied: it must be 1 to 50000")
        }
        let stages = try MLflowRuns.stages(try fields.string("view_type"))
        let filter = try RunFilter(try fields.string("filter") ?? "", attributes: ["name", "creation_time", "last_update_time"])
        let order = try MLflowOrder(fields.array("order_by"), attributes: ["name", "creation_time", "last_update_time", "experiment_id"])
        let offset = try MLflowPage.offset(try fields.string("page_token"))
        var views = try await pool.withConnection { connection in try connection.query(Self.select).map(Self.view) }
        views = views.filter { view in
            stages.contains(view.stage)
                && filter.matches(
                    metric: { _ in nil }, param: { _ in nil }, tag: { key in view.tags.first { $0.0 == key }?.1 },
                    attribute: { key in
                        switch key {
                        case "name": return .text(view.displayName)
                        case "creation_time": return .number(Double(view.created))
                        case "last_update_time": return .number(Double(view.updated))
                        default: return .missing
                        }
                    })
        }
        let sorted = order.sort(views, tieBreak: { ($0.created, $0.name) > ($1.created, $1.name) }) { view, key in
            switch key.entity {
            case .tag: return view.tags.first { $0.0 == key.key }.map { .text($0.1) } ?? .missing
            case .attribute where key.key == "name": return .text(view.displayName)
            case .attribute where key.key == "experiment_id": return .text(MLflowNames.experimentID(view.name))
            case .attribute where key.key == "creation_time": return .number(Double(view.created))
            case .attribute where key.key == "last_update_time": return .number(Double(view.updated))
            default: return .missing
            }
        }
        let page = sorted.dropFirst(offset).prefix(maxResults)
        var members = [JSONMember("experiments", .array(page.map(\.json)))]
        if offset + maxResults < sorted.count {
            members.append(JSONMember("next_page_token", .string(MLflowPage.token(offset + maxResults))))
        }
        return .object(members)
    }
}
