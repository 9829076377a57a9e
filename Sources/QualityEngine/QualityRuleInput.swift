import Manifests

/// A QualityRule to evaluate: its name and its `spec` as stored (or decoded from a manifest).
public struct QualityRuleInput: Sendable, Hashable {
    public var name: String
    public var spec: JSONValue
    /// Evaluate only these checks (by name); nil for all. A name the rule lacks gives an ERROR result.
    public var checks: [String]?

    public init(name: String, spec: JSONValue, checks: [String]? = nil) {
        self.name = name
        self.spec = spec
        self.checks = checks
    }
}
