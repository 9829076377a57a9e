import ServiceLifecycle

extension SourceWorker: Service {
    /// Polls until stopped (the supervisor stops it when the lease is lost) or the service group
    /// shuts down gracefully: the sync in progress then finishes first.
    func run() async {
        lastApplied = try? await store.lastApplied(configuration.name)
        var listener = doorbell.listener()
        await withGracefulShutdownHandler {
            while !doorbell.isStopped {
                let record = await syncOnce()
                MemoryRelease.afterPoll()
                _ = await listener.wait(for: nextDelay(after: record))
            }
        } onGracefulShutdown: { [doorbell] in
            doorbell.stop()
        }
    }

    /// The interval (with up to 10% jitter) after a sync or a skipped poll; after a failure or a
    /// git error a backoff of 1 s, 2 s, 4 s ... up to the interval. An invalid commit is not
    /// retried (it waits for the next one), so it resets the backoff like a success.
    func nextDelay(after record: SyncRecord?) -> Duration {
        if let record, record.outcome.backsOff {
            failures += 1
            return .seconds(min(configuration.interval, pow2(failures - 1)))
        }
        if record != nil { failures = 0 }
        return .seconds(configuration.interval * Double.random(in: 0.9...1.1))
    }

    private func pow2(_ n: Int) -> Double { n >= 62 ? .infinity : Double(1 << n) }
}
