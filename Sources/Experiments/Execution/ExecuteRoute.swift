import Hummingbird
import Manifests
import ServiceKit

/// `POST /api/experiments/runs:execute` `{"run": NAME, "executor": "local" | "kubernetes"}`:
/// starts a queued run. 202 with the run; the Kubernetes executor adds its Job's namespace and name.
struct ExecuteRoute: Sendable {
    let executors: Executors

    func register(on router: APIRouter) {
        router.post("/api/experiments/runs:execute") { request, context in
            let principal = try context.require(.editor)
            let body = try await request.jsonObject(context: context)
            guard let run = body["run"]?.stringValue, !run.isEmpty else {
                throw Problem(.unprocessableContent, title: "No run", detail: "send {\"run\": \"<run name>\"}; create the run first with POST /api/experiments/{name}/runs")
            }
            let name = body["executor"]?.stringValue ?? ExecutorKind.local.rawValue
            guard let kind = ExecutorKind(rawValue: name) else {
                throw Problem(.unprocessableContent, title: "Unknown executor",
                              detail: "executor must be one of " + ExecutorKind.allCases.map(\.rawValue).joined(separator: ", ") + ", got \"\(name)\"")
            }
            let (record, details) = try await executors.execute(run, kind: kind, actor: principal.subject, requestID: context.requestID)
            guard case .object(var members) = record.json else { return Response.json(record.json, status: .accepted) }
            members += details
            return Response.json(.object(members), status: .accepted)
        }
    }
}
