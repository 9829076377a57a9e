import Manifests
import ServiceKit

/// Who may start code, and with which executor. Executing a run is a privilege of its own (the
/// `executor` role, or admin), not a side effect of write access; and an executor runs only if
/// the operator enabled it (`executors` in the server's configuration).
enum ExecutionPolicy {
    static func requireExecutor(_ principal: Principal, _ what: String) throws {
        guard principal.role.satisfies(.executor) else {
            throw Problem(
                .forbidden, title: "Forbidden",
                detail:
                    "\(what) needs the executor role (an API key of role executor or admin); \(principal.subject) is \(principal.role.rawValue). Ask an admin for an executor key, or create the run without execute and let an executor start it"
            )
        }
    }

    /// The executor to use: the one asked for, or the only one enabled. Refuses an executor the
    /// operator did not enable, saying how to enable one.
    static func choose(_ asked: String?, enabled: Set<ExecutorKind>) throws -> ExecutorKind {
        let kind = try asked.map { asked in
            guard let kind = ExecutorKind(rawValue: asked) else {
                throw Problem(
                    .unprocessableContent, title: "Unknown executor",
                    detail: "executor must be one of " + ExecutorKind.allCases.map(\.rawValue).joined(separator: ", ")
                        + ", got \"\(asked)\"")
            }
            return kind
        }
        guard !enabled.isEmpty else {
            throw Problem(
                .conflict, title: "No executor enabled",
                detail:
                    "this server executes no runs: an operator enables an executor with `executors: kubernetes` (production) or `executors: local` (one trusted machine) in the server's configuration, DATAPILOT_EXECUTORS or --executors; see docs/security.md"
            )
        }
        // Kubernetes first: a server that can run jobs in a cluster never defaults to its own machine.
        guard let kind else { return enabled.contains(.kubernetes) ? .kubernetes : .local }
        guard enabled.contains(kind) else {
            throw Problem(
                .conflict, title: "Executor not enabled",
                detail: "this server does not run the \(kind.rawValue) executor; enabled: "
                    + ExecutorKind.allCases.filter(enabled.contains).map(\.rawValue).joined(separator: ", ")
                    + ". An operator enables it with `executors` in the server's configuration")
        }
        return kind
    }

    /// Refuses changing what a run executes once it is written.
    static func checkUnchanged(_ name: String, before: JSONValue, after: JSONValue) throws {
        for field in RunExecution.fields where (before[field] ?? .null).canonicalJSON != (after[field] ?? .null).canonicalJSON {
            throw Problem(
                .conflict, title: "Execution fields are written once",
                detail:
                    "Run \"\(name)\" already has spec.\(field) \(before[field]?.jsonString() ?? "unset"); what a run executes never changes: create a new run"
            )
        }
    }
}
