import Manifests

/// Where runs execute. `local` runs the command on this server's machine; `kubernetes`
/// renders the Job (and the Secret with the run's token) for a cluster to run.
public enum ExecutorKind: String, Sendable, CaseIterable {
    case local, kubernetes
}

/// What `POST /api/experiments/runs:execute` answers besides the run.
struct ExecutionStart: Sendable {
    var details: [JSONMember] = []
}
