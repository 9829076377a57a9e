import Foundation
import Manifests

/// The identity of a check and how its counts become an outcome.
struct CheckInfo {
    var rule: String
    var check: String
    var type: String
    var severity: Severity
    /// The threshold as written (null when absent).
    var thresholdText: JSONValue = .null
    var threshold: Threshold = .count(0)

    func error(_ message: String) -> CheckResult {
        CheckResult(
            rule: rule, check: check, type: type, severity: severity, outcome: .error, threshold: thresholdText,
            message: "rule \(rule), check \(check): \(message)")
    }

    /// A result whose outcome follows from the threshold: PASSED, or WARNED/FAILED by severity.
    func counted(observed: JSONValue, element: Int, unexpected: Int, what: String, samples: [SampleRow]) -> CheckResult {
        let percent = element > 0 ? Double(unexpected) * 100 / Double(element) : 0
        let passes = threshold.passes(unexpected: unexpected, percent: percent)
        let message = "\(unexpected) of \(element) \(what) (\(Self.percentText(percent))); threshold \(threshold.text)"
        return judged(
            passes: passes, observed: observed, element: element, unexpected: unexpected, percent: percent,
            message: message, samples: samples)
    }

    func judged(
        passes: Bool, observed: JSONValue, element: Int, unexpected: Int, percent: Double? = nil,
        message: String, samples: [SampleRow]
    ) -> CheckResult {
        let percent = percent ?? (element > 0 ? Double(unexpected) * 100 / Double(element) : 0)
        let outcome: Outcome = passes ? .passed : (severity == .warn ? .warned : .failed)
        return CheckResult(
            rule: rule, check: check, type: type, severity: severity, outcome: outcome, observedValue: observed,
            elementCount: element, unexpectedCount: unexpected, unexpectedPercent: percent,
            threshold: thresholdText, message: message, sampleRows: samples)
    }

    static func percentText(_ percent: Double) -> String {
        String(format: "%.2f%%", percent)
    }
}

/// What the engine knows when the data has been read.
struct DataSummary {
    var rows: Int
    /// CSV: the header; JSONL: every key seen, in order of first appearance.
    var columns: [String]
    var now: Date
}

/// A check evaluated row by row. The engine gives each of its `columns` a slot in the cell array
/// of every row (-1 when the file lacks an optional column).
protocol RowCheck: AnyObject {
    var info: CheckInfo { get }
    /// The columns read, in order; `slots` has one entry for each.
    var columns: [String] { get }
    /// Whether a column the file lacks makes the check an ERROR (the schema check reports it itself).
    var columnsRequired: Bool { get }
    var slots: [Int] { get set }
    /// Observes one row; true when the row holds a value the check did not expect (for samples).
    func observe(_ cells: UnsafePointer<Cell>) -> Bool
    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult
}

extension RowCheck {
    var columnsRequired: Bool { true }
}

/// The text of a non-null cell as a JSON value for observed values.
func cellString(_ cell: Cell) -> String {
    String(decoding: UnsafeBufferPointer(start: cell.pointer, count: cell.count), as: UTF8.self)
}
