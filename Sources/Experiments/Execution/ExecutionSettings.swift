import Foundation

/// How this server executes runs.
public struct ExecutionSettings: Sendable {
    /// The URL a run's process calls back on (`DATAPILOT_URL`): the gateway as the run sees it.
    public var publicURL: String
    /// Where the local executor makes each run's fresh work directory.
    public var workDirectory: String
    /// How often the local executor reports a live process's heartbeat.
    public var heartbeatSeconds: Double
    /// How long a cancelled process gets between SIGTERM and SIGKILL.
    public var killGraceSeconds: Double = 5
    /// The namespace of the Kubernetes executor's Jobs; empty: the credentials' own (the pod's
    /// namespace, or the kubeconfig context's), else `datapilot`.
    public var kubernetesNamespace: String = ""
    /// The kubeconfig file of the Kubernetes executor; empty: the pod's service account.
    public var kubeconfig: String = ""
    /// How long a finished Job of the Kubernetes executor is kept before it is deleted.
    public var kubernetesJobRetentionSeconds: Int = 86_400
    /// A run-scoped token for a run (its name and uid): valid only for its telemetry and inputs,
    /// only while it is live, and never for a later run of the same name.
    public var issueToken: @Sendable (_ run: String, _ uid: String) -> String
    /// The executors the operator enabled (`executors`); none by default, and then nothing executes.
    public var enabled: Set<ExecutorKind> = []
    /// The local executor's user, limits and sandbox, checked against this machine at start.
    public var launcher: LocalLauncher?

    public init(
        publicURL: String, workDirectory: String, heartbeatSeconds: Double, kubernetesNamespace: String = "",
        issueToken: @escaping @Sendable (String, String) -> String
    ) {
        self.publicURL = publicURL
        self.workDirectory = workDirectory
        self.heartbeatSeconds = heartbeatSeconds
        self.kubernetesNamespace = kubernetesNamespace
        self.issueToken = issueToken
    }

    /// The environment of a locally executed run: nothing inherited from the server (whose
    /// environment holds its own secrets, and whose PATH may name folders only it can read) but
    /// the system's PATH, a locale and the run's own variables. In the sandbox the work folder is /work.
    func environment(run: String, token: String, work: String) -> [String: String] {
        [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": work, "TMPDIR": work, "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
            "DATAPILOT_URL": publicURL, "DATAPILOT_RUN_ID": run, "DATAPILOT_RUN_TOKEN": token,
        ]
    }
}
