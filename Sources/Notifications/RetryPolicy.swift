/// How often and how patiently a delivery is tried: exponential backoff from `base` seconds,
/// doubled per attempt up to `cap`, each wait with up to 25% jitter, at most `attempts` tries.
/// Network errors, 408, 429 and 5xx answers are retried; any other answer is final.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var base: Double
    public var cap: Double

    /// 1 s, 2 s, 4 s ... 60 s: eight tries over about two minutes.
    public static let standard = RetryPolicy(attempts: 8, base: 1, cap: 60)

    public init(attempts: Int, base: Double, cap: Double) {
        self.attempts = max(1, attempts)
        self.base = base
        self.cap = cap
    }

    /// The wait after attempt `n` (1-based) failed.
    public func delay(after n: Int) -> Double {
        let exponential = base * Double(1 << min(max(n - 1, 0), 30))
        return min(cap, exponential) * Double.random(in: 0.75...1.0)
    }

    /// Whether an HTTP status is worth another try.
    public static func retryable(status: Int) -> Bool {
        status == 408 || status == 429 || status >= 500
    }
}
