import Postgres
import ServiceKit

/// Who may do what to a run: people by role, a run-scoped token only for its own live run.
enum RunAccess {
    enum Need {
        /// Read the run and its telemetry.
        case read
        /// Report on the run: state, heartbeats, metrics, events, artifacts.
        case report
    }

    @discardableResult
    static func require(_ context: APIRequestContext, run: String, _ need: Need, on connection: Connection) throws -> Principal {
        if let principal = context.principal, principal.role == .runner {
            try RunScope.check(principal, run: run, on: connection)
            return principal
        }
        return try context.require(need == .read ? .viewer : .editor)
    }
}
