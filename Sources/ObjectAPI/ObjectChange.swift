import Manifests
import Postgres
import ServiceKit

extension ObjectRoutes {
    /// A change made by the server on a caller's behalf (an API that is not the manifest's own,
    /// such as MLflow's log-param), inside the caller's transaction: the object `name` locked,
    /// `change` given its spec and answering the new one, then the same `updateRow` a PUT runs
    /// (authorize, written-once fields, references, lineage, `onWrite`, the audit event).
    /// Answers the object as stored (unchanged when the spec is the same).
    public func change(
        _ name: String, principal: Principal, source: SourceContext, requestID: String, on connection: Connection,
        _ change: (_ spec: JSONValue) throws -> JSONValue
    ) throws -> JSONValue {
        guard let current = try table.load(name, forUpdate: true, on: connection) else { throw Problem.notFound(table.describe(name)) }
        let spec = try change(current["spec"] ?? .object([]))
        return try table.updateRow(
            current, name: name, metadata: current["metadata"] ?? .object([]), spec: spec, principal: principal, source: source,
            requestID: requestID, on: connection) ?? current
    }
}
