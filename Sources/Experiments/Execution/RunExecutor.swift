/// Where runs execute. `local` runs the command on this server's machine; `kubernetes`
/// submits it as a Job to a cluster through the Kubernetes API (Kubernetes/).
public enum ExecutorKind: String, Sendable, CaseIterable {
    case local, kubernetes
}
