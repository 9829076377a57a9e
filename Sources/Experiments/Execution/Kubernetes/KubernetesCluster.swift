import KubernetesClient
import ServiceKit

/// The cluster the Kubernetes executor talks to: credentials from the `kubeconfig` setting or,
/// when it is empty, the pod's service account; read on first use and kept once they load.
actor KubernetesCluster {
    let kubeconfig: String
    let namespaceSetting: String
    private var cached: (api: KubernetesAPI, namespace: String)?
    /// The runs (by uid) this process follows now: never twice.
    private var following: Set<String> = []

    func startFollowing(_ uid: String) -> Bool { following.insert(uid).inserted }
    func stopFollowing(_ uid: String) { following.remove(uid) }

    init(kubeconfig: String, namespace: String) {
        self.kubeconfig = kubeconfig
        self.namespaceSetting = namespace
    }

    /// Whether this server is set up to reach a cluster at all (a kubeconfig, or a pod).
    nonisolated var configured: Bool {
        !kubeconfig.isEmpty || ((try? KubernetesCredentials.inCluster()) != nil)
    }

    /// The API client and the namespace of Jobs: the `kubernetes-namespace` setting, else the
    /// credentials' own (the pod's namespace, the context's), else `datapilot`.
    func connect() throws(KubernetesError) -> (api: KubernetesAPI, namespace: String) {
        if let cached { return cached }
        let credentials = try kubeconfig.isEmpty ? KubernetesCredentials.inCluster() : KubernetesCredentials.kubeconfig(kubeconfig)
        let namespace = !namespaceSetting.isEmpty ? namespaceSetting : credentials.namespace ?? "datapilot"
        let connected = (KubernetesAPI(credentials: credentials), namespace)
        cached = connected
        return connected
    }

    /// `connect` for a request: a server without cluster credentials answers 503 and says what to set.
    func require() throws -> (api: KubernetesAPI, namespace: String) {
        do {
            return try connect()
        } catch {
            throw Problem(.serviceUnavailable, title: "Kubernetes executor not configured", detail: error.description)
        }
    }
}
