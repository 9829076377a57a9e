import Foundation
import Manifests

/// The result of evaluating quality rules over one data file. `Codable`; its JSON is what the
/// server stores for an evaluation and what `dpctl quality check -o json` prints.
public struct EvaluationReport: Sendable, Hashable, Codable {
    /// The format actually read, e.g. `csv`, `jsonl.gz`.
    public var format: String
    /// Data rows (CSV: not counting the header; JSONL: object lines).
    public var rows: Int
    /// Bytes fed to the evaluator (for gzip, the compressed size).
    public var bytes: Int
    /// FAILED if any fail-severity check failed, else ERROR if any check errored, else WARNED if
    /// any warn-severity check failed, else PASSED.
    public var outcome: Outcome
    public var checks: [CheckResult]
    /// Problems reading the data (ragged rows, invalid UTF-8, unterminated quotes), each with its
    /// line; at most `EvaluationReport.issueLimit`, then one line counting the rest.
    public var issues: [String]

    public static let issueLimit = 100

    public init(format: String, rows: Int, bytes: Int, outcome: Outcome, checks: [CheckResult], issues: [String]) {
        self.format = format
        self.rows = rows
        self.bytes = bytes
        self.outcome = outcome
        self.checks = checks
        self.issues = issues
    }

    /// The report as a JSON value, keys in a fixed order.
    public var json: JSONValue {
        [
            "format": .string(format), "rows": .int(Int64(rows)), "bytes": .int(Int64(bytes)),
            "outcome": .string(outcome.rawValue), "checks": .array(checks.map(\.json)),
            "issues": .array(issues.map { .string($0) }),
        ]
    }
}

/// One check's result.
public struct CheckResult: Sendable, Hashable, Codable {
    /// The QualityRule's name.
    public var rule: String
    /// The check's name within the rule.
    public var check: String
    /// The check type: rowCount, missing, unique, allowedValues, range, regex, schema, freshness.
    public var type: String
    public var severity: Severity
    public var outcome: Outcome
    /// What was measured: rows for rowCount, `{min, max}` for range, `{ageSeconds, newest}` for
    /// freshness, missing/extra columns for schema, the unexpected count otherwise.
    public var observedValue: JSONValue
    /// Values the check looked at (see docs/quality.md for each type).
    public var elementCount: Int
    public var unexpectedCount: Int
    /// 100 * unexpectedCount / elementCount; 0 when elementCount is 0.
    public var unexpectedPercent: Double
    /// The threshold as written in the rule (`5`, `"5%"`), null when absent.
    public var threshold: JSONValue
    public var message: String
    /// Up to five rows with unexpected values.
    public var sampleRows: [SampleRow]

    public init(
        rule: String, check: String, type: String, severity: Severity, outcome: Outcome,
        observedValue: JSONValue = .null, elementCount: Int = 0, unexpectedCount: Int = 0,
        unexpectedPercent: Double = 0, threshold: JSONValue = .null, message: String, sampleRows: [SampleRow] = []
    ) {
        self.rule = rule
        self.check = check
        self.type = type
        self.severity = severity
        self.outcome = outcome
        self.observedValue = observedValue
        self.elementCount = elementCount
        self.unexpectedCount = unexpectedCount
        self.unexpectedPercent = unexpectedPercent
        self.threshold = threshold
        self.message = message
        self.sampleRows = sampleRows
    }

    public var json: JSONValue {
        [
            "rule": .string(rule), "check": .string(check), "type": .string(type), "severity": .string(severity.rawValue),
            "outcome": .string(outcome.rawValue), "observedValue": observedValue, "elementCount": .int(Int64(elementCount)),
            "unexpectedCount": .int(Int64(unexpectedCount)), "unexpectedPercent": .double(unexpectedPercent),
            "threshold": threshold, "message": .string(message), "sampleRows": .array(sampleRows.map(\.json)),
        ]
    }
}

/// A row shown as an example of unexpected values.
public struct SampleRow: Sendable, Hashable, Codable {
    /// The 1-based line of the file where the row starts.
    public var line: Int
    /// An object of column name to value (strings for CSV; JSON values for JSONL; null for nulls).
    public var values: JSONValue

    public init(line: Int, values: JSONValue) {
        self.line = line
        self.values = values
    }

    public var json: JSONValue { ["line": .int(Int64(line)), "values": values] }
}
