import Manifests

/// How one check of a quality rule came out on a version's data.
public enum QualityOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case passed = "PASSED"
    case warned = "WARNED"
    case failed = "FAILED"
    case error = "ERROR"
}

/// One check's result, as the server's evaluation reports it.
public struct QualityFinding: Sendable, Hashable {
    /// The QualityRule's name.
    public var rule: String
    /// The check's name within the rule.
    public var check: String
    /// `warn` or `fail`: the check's own severity, else its rule's.
    public var severity: String
    public var outcome: QualityOutcome
    /// What was measured (`rows=12`, `missing=3.2%`), as text.
    public var observed: String?
    public var unexpectedCount: Int?
    public var message: String

    public init(
        rule: String, check: String, severity: String, outcome: QualityOutcome, observed: String? = nil,
        unexpectedCount: Int? = nil, message: String
    ) {
        self.rule = rule
        self.check = check
        self.severity = severity
        self.outcome = outcome
        self.observed = observed
        self.unexpectedCount = unexpectedCount
        self.message = message
    }

    /// A failed check of severity fail: the merge must not go ahead.
    public var isBlocking: Bool { outcome == .failed && severity == "fail" }
}

/// What a gate is given for one new or changed DatasetVersion.
public struct QualityGateInput: Sendable {
    /// The DatasetVersion manifest from the head commit.
    public var version: Manifest
    /// Its Dataset manifest from the head commit, when the repository has it (format, schema).
    public var dataset: Manifest?
    /// A local file holding the version's bytes, exported from the head commit's blob.
    public var dataFile: String
    /// The head commit's QualityRule manifests whose `spec.dataset` is the version's dataset.
    public var rules: [Manifest]

    public init(version: Manifest, dataset: Manifest?, dataFile: String, rules: [Manifest]) {
        self.version = version
        self.dataset = dataset
        self.dataFile = dataFile
        self.rules = rules
    }
}

/// The seam between `dpctl plan` and the quality evaluation engine: runs a dataset's rules on a
/// version's data file before the merge, with the same code the server evaluates with. A thrown
/// error becomes an ERROR finding per rule; `QualityGateUnavailable` marks the data as not
/// evaluated (no engine in this build).
public protocol QualityGate: Sendable {
    func evaluate(_ input: QualityGateInput) async throws -> [QualityFinding]
}

/// A gate from a closure (tests, adapters).
public struct ClosureQualityGate: QualityGate {
    let body: @Sendable (QualityGateInput) async throws -> [QualityFinding]

    public init(_ body: @escaping @Sendable (QualityGateInput) async throws -> [QualityFinding]) { self.body = body }

    public func evaluate(_ input: QualityGateInput) async throws -> [QualityFinding] { try await body(input) }
}

/// Thrown by a gate that cannot evaluate at all: the plan says so instead of reporting errors.
public struct QualityGateUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The gate of a build without the evaluation engine: evaluates nothing and says so.
public struct NoQualityEngine: QualityGate {
    public init() {}

    public func evaluate(_ input: QualityGateInput) async throws -> [QualityFinding] {
        throw QualityGateUnavailable("not evaluated: this dpctl was built without the quality engine")
    }
}
