import ServiceLifecycle

/// The Kubernetes executor's periodic work on every replica: collecting finished Jobs and
/// adopting the Jobs whose follower is gone. Each loop ends after its pass on graceful shutdown.
struct KubernetesHousekeeping: Service {
    let kubernetes: KubernetesExecutor

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await kubernetes.collectForever() }
            group.addTask { await kubernetes.adoptForever() }
        }
    }
}
