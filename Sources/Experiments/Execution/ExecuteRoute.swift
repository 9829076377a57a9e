import Hummingbird
import Manifests
import ServiceKit

/// `POST /api/experiments/runs:execute` `{"run": NAME, "executor": "local" | "kubernetes", "uid": UID}`:
/// starts a queued run. Executor role (or admin) only, and only with an executor the operator
/// enabled; without `executor`, kubernetes if enabled, else local. 202 with the run; the
/// Kubernetes executor adds its Job's namespace and name.
struct ExecuteRoute: Sendable {
    let executors: Executors

    func register(on router: APIRouter) {
        router.post("/api/experiments/runs:execute") { request, context in
            let principal = try context.require(.editor)
            try ExecutionPolicy.requireExecutor(principal, "executing a run")
            let body = try await request.jsonObject(context: context)
            guard let run = body["run"]?.stringValue, !run.isEmpty else {
                throw Problem(
                    .unprocessableContent, title: "No run",
                    detail: "send {\"run\": \"<run name>\"}; create the run first with POST /api/experiments/{name}/runs")
            }
            let kind = try ExecutionPolicy.choose(body["executor"]?.stringValue, enabled: executors.settings.enabled)
            let uid = try body["uid"].map { uid in
                guard let text = uid.stringValue, !text.isEmpty else {
                    throw Problem(.unprocessableContent, title: "Bad uid", detail: "uid must be the run's metadata.uid, a string")
                }
                return text
            }
            let (record, details) = try await executors.execute(
                run, kind: kind, uid: uid, actor: principal.subject, requestID: context.requestID)
            guard case .object(var members) = record.json else { return Response.json(record.json, status: .accepted) }
            members += details
            return Response.json(.object(members), status: .accepted)
        }
    }
}
