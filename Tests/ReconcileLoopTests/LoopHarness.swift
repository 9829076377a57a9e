import GitSource
import Logging

@testable import Reconciler

/// One worker over the memory fakes, and the fakes to look at.
struct Loop {
    let source: MemorySource
    let server: MemoryServer
    let status = MemoryStatus()
    let metrics = ReconcilerMetrics()
    let worker: SourceWorker

    init(
        _ files: [String: String], interval: Double = 60, resync: Double = 600, executeAllowed: Bool = false, holding: Bool = false,
        verify: CommitVerification? = nil
    ) {
        source = MemorySource(files)
        server = MemoryServer(holding: holding)
        var configuration = SourceConfiguration(
            spec: SourceSpec(
                name: "examples", url: "https://git.example.com/ml/manifests.git", ref: "refs/heads/main",
                path: "examples", auth: .none, timeoutSeconds: 30),
            interval: interval, resync: resync)
        configuration.executeAllowed = executeAllowed
        configuration.verify = verify
        worker = SourceWorker(
            configuration: configuration, source: source, client: server, store: status, metrics: metrics,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

extension SourceWorker {
    /// What `run` does first: resume from the applied commit the status table holds.
    func resume(applied commit: String) { lastApplied = commit }
}
