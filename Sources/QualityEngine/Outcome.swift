/// How a check, or a whole evaluation, came out.
public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
    case passed = "PASSED"
    /// A check of severity `warn` failed.
    case warned = "WARNED"
    /// A check of severity `fail` failed.
    case failed = "FAILED"
    /// The check could not be evaluated: a malformed spec, a column the file lacks, no header.
    case error = "ERROR"

    /// The overall outcome of checks: FAILED if any failed, else ERROR if any errored, else
    /// WARNED if any warned, else PASSED (also for no checks at all).
    public static func overall(_ outcomes: some Sequence<Outcome>) -> Outcome {
        var seen = Set<Outcome>()
        for outcome in outcomes { seen.insert(outcome) }
        for candidate in [Outcome.failed, .error, .warned] where seen.contains(candidate) { return candidate }
        return .passed
    }
}

/// What a failed check does: `warn` (outcome WARNED) or `fail` (outcome FAILED).
public enum Severity: String, Sendable, Hashable, Codable {
    case warn, fail
}
