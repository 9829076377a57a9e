import ServiceLifecycle

/// The wait between the passes of a periodic background service.
public enum Pause {
    /// Sleeps `interval`; false when the service group began a graceful shutdown or the task was
    /// cancelled (before or meanwhile), so the loop ends after the pass it finished.
    public static func next(_ interval: Duration) async -> Bool {
        guard !stopping else { return false }
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        } catch {
            return false
        }
        return !stopping
    }

    /// Whether the current service is shutting down or cancelled: a loop starts no new work then.
    public static var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
