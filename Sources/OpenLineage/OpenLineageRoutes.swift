import Audit
import Hummingbird
import Lineage
import Manifests
import Postgres
import ServiceKit

/// `POST /api/v1/lineage` (Marquez's path): an OpenLineage RunEvent into the lineage graph
/// (`IngestEdges`), with an audit event `openlineage` on `oljob/<namespace>/<name>`, in one
/// transaction; the editor role at least. A bad event is a 422 naming each bad field and
/// writes nothing. `GET /openlineage/facets/1-0-0/DataPilotObjectRunFacet.json` serves the
/// schema of the custom `datapilot` facet (public, like `/openapi.yaml`).
public struct OpenLineageRoutes: Sendable {
    /// The largest event taken.
    public static let maxBytes = 1 << 20

    let pool: ConnectionPool
    let namespace: String
    let publicURL: String

    public init(pool: ConnectionPool, namespace: String, publicURL: String) {
        self.pool = pool
        self.namespace = namespace
        self.publicURL = publicURL
    }

    public func register(on router: APIRouter) {
        router.post("/api/v1/lineage") { request, context in try await ingest(request, context) }
    }

    /// The facet schema is served by every process (it is a document, not a service's data).
    public func registerSchema(on router: APIRouter) {
        router.get(DataPilotObjectFacet.path) { [publicURL] _, _ in
            Response.json(DataPilotObjectFacet.schema(publicURL: publicURL))
        }
    }

    func ingest(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.editor)
        let bytes = try await request.jsonBody(context: context, limit: Self.maxBytes)
        let value: JSONValue
        switch JSONText.parse(bytes) {
        case .success(let parsed): value = parsed
        case .failure(let error): throw Problem(.badRequest, title: "Bad JSON", detail: "the body is not valid JSON: \(error)")
        }
        let event: IngestedEvent
        switch IngestedEvent.parse(value) {
        case .success(let parsed): event = parsed
        case .failure(let refusal):
            let errors = refusal.errors
            let first = errors.first.map { ($0.path.isEmpty ? "" : $0.path + ": ") + $0.message } ?? "invalid event"
            throw Problem(
                .unprocessableContent, title: "Bad OpenLineage event",
                detail: errors.count == 1 ? first : "\(first) (and \(errors.count - 1) more)", errors: errors)
        }
        let requestID = context.requestID
        let namespace = self.namespace
        let edges = try await pool.withTransaction { connection -> [LineageEdge] in
            let edges = try IngestEdges.edges(for: event, namespace: namespace, on: connection)
            for edge in edges { try LineageStore.add(edge, on: connection) }
            let linked = edges.dropFirst().map { JSONValue.string($0.relation + " " + $0.to.id) }
            try AuditLog.append(
                AuditDraft(
                    actor: principal.subject, action: "openlineage", resource: "oljob/\(event.jobNamespace)/\(event.jobName)",
                    requestID: requestID,
                    after: [
                        "eventType": .string(event.eventType.rawValue), "eventTime": .string(event.eventTime),
                        "runId": .string(event.runID), "datasets": .array(linked),
                    ]), on: connection)
            return edges
        }
        return Response.json(["run": .string("olrun/\(event.runID)"), "edges": .array(edges.map(\.json))], status: .created)
    }
}
