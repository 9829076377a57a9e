import Manifests

/// The answer of `POST /api/evaluations/dry-run`: a QualityRule that is not applied, evaluated
/// against a stored DatasetVersion (by default its dataset's newest, the live one). Nothing is
/// stored: no evaluation, no report, no lineage edge, no audit event. When nothing could be
/// evaluated (the dataset has no version, or only an external one), `datasetVersion` or
/// `outcome` is absent and `note` says why.
public struct RuleDryRun: WireBody, Hashable {
    /// The QualityRule's name, as sent.
    public var rule: String
    public var dataset: String
    /// The version evaluated; absent when the dataset has none.
    public var datasetVersion: String?
    public var versionSha256: String?
    /// PASSED, WARNED, FAILED or ERROR (as an evaluation's); absent when nothing was evaluated.
    public var outcome: String?
    public var rows: Int?
    /// The format read, e.g. `csv`, `jsonl.gz`.
    public var format: String?
    public var checks: [RuleDryRunCheck]
    /// Why nothing was evaluated.
    public var note: String?

    public static let outcomes: Set<String> = ["PASSED", "WARNED", "FAILED", "ERROR"]

    public init(
        rule: String, dataset: String, datasetVersion: String? = nil, versionSha256: String? = nil, outcome: String? = nil,
        rows: Int? = nil, format: String? = nil, checks: [RuleDryRunCheck] = [], note: String? = nil
    ) {
        self.rule = rule
        self.dataset = dataset
        self.datasetVersion = datasetVersion
        self.versionSha256 = versionSha256
        self.outcome = outcome
        self.rows = rows
        self.format = format
        self.checks = checks
        self.note = note
    }

    public func validate() throws(BodyError) {
        if let outcome, !Self.outcomes.contains(outcome) { throw BodyError("outcome", "one of ERROR, FAILED, PASSED, WARNED") }
        for (index, check) in checks.enumerated() where !Self.outcomes.contains(check.outcome) {
            throw BodyError("checks[\(index)].outcome", "one of ERROR, FAILED, PASSED, WARNED")
        }
    }

    /// The checks of fail severity that failed: each would keep the version from being admitted.
    public var failing: [RuleDryRunCheck] { checks.filter { $0.outcome == "FAILED" && $0.severity == "fail" } }
}

/// One check's result in a `RuleDryRun`.
public struct RuleDryRunCheck: Codable, Sendable, Hashable {
    public var check: String
    /// rowCount, missing, unique, allowedValues, range, regex, schema or freshness.
    public var type: String
    /// `warn` or `fail`.
    public var severity: String
    public var outcome: String
    /// What was measured, as text (`rows=12`, a JSON object for range and freshness).
    public var observed: String?
    public var unexpectedCount: Int
    public var message: String

    public init(
        check: String, type: String, severity: String, outcome: String, observed: String?, unexpectedCount: Int, message: String
    ) {
        self.check = check
        self.type = type
        self.severity = severity
        self.outcome = outcome
        self.observed = observed
        self.unexpectedCount = unexpectedCount
        self.message = message
    }
}
