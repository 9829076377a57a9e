/// Keeps the reaper from judging heartbeats across a forward step of the database's clock.
///
/// Heartbeats are stamped and judged with the database's `now()`, the clock every replica
/// shares. When that clock steps forward (an NTP correction), every live run's last heartbeat
/// suddenly looks old, and a run would be marked LOST before its next heartbeat. The guard
/// compares how far the database's clock moved between two reaper passes with how far this
/// process's monotonic clock did; when the database ran ahead by more than `tolerance`, reaping
/// pauses for one timeout, by when every live run has sent a heartbeat on the new clock.
/// (A step back needs no guard: heartbeats only look younger.)
struct ClockStepGuard {
    let timeout: Duration
    let tolerance: Double
    var last: (database: Double, monotonic: ContinuousClock.Instant)?
    var pausedUntil: ContinuousClock.Instant?

    init(timeoutSeconds: Int) {
        timeout = .seconds(timeoutSeconds)
        // A step shorter than a quarter of the timeout cannot outrun a heartbeat sent every quarter.
        tolerance = max(1, Double(timeoutSeconds) / 4)
    }

    /// The step found at this pass, in seconds (nil when none), given the database's `now()`
    /// (seconds since the epoch) read at `instant`.
    mutating func observe(databaseNow: Double, at instant: ContinuousClock.Instant) -> Double? {
        defer { last = (databaseNow, instant) }
        guard let last else { return nil }
        let elapsed = instant - last.monotonic
        let monotonicSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let step = (databaseNow - last.database) - monotonicSeconds
        guard step > tolerance else { return nil }
        pausedUntil = instant + timeout
        return step
    }

    /// Whether the reaper may mark runs LOST at `instant`.
    func mayReap(at instant: ContinuousClock.Instant) -> Bool {
        pausedUntil.map { instant >= $0 } ?? true
    }
}
