import Foundation
import Manifests
import QualityEngine

/// The one place `dpctl plan` chooses its quality gate: the server's own evaluation engine.
public enum QualityGates {
    public static let standard: any QualityGate = QualityEngineGate()
}

/// Runs a version's rules on its data file with `QualityEngine`, exactly as the server's
/// `POST /api/evaluations` does, and turns each check's result into a finding.
public struct QualityEngineGate: QualityGate {
    public init() {}

    public func evaluate(_ input: QualityGateInput) async throws -> [QualityFinding] {
        let rules = input.rules.map { QualityRuleInput(name: $0.name, spec: $0.spec) }
        guard !rules.isEmpty else { return [] }
        // The file's name in the repository, else the last segment of its URL, else the dataset's format.
        let source = input.version.spec["source"]
        let names = [
            source?["path"]?.stringValue,
            source?["url"]?.stringValue.map { url in
                String(url.prefix { $0 != "?" && $0 != "#" }.split(separator: "/").last ?? "")
            },
            "\(input.version.name).\(input.dataset?.spec["format"]?.stringValue ?? "csv")",
        ].compactMap { $0 }.filter { !$0.isEmpty }
        if let parquet = names.first(where: EvaluableFormat.isParquet) {
            throw QualityGateUnavailable("not evaluated: \(parquet) is a Parquet file; " + EvaluableFormat.advice)
        }
        let leading =
            FileHandle(forReadingAtPath: input.dataFile).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: 2)
            } ?? Data()
        guard let format = names.lazy.compactMap({ DataFormat.detect(fileName: $0, leadingBytes: Array(leading)) }).first else {
            throw QualityGateUnavailable("\(names[0]): not a format the evaluator reads (CSV or JSONL, optionally gzip)")
        }
        let report = try Evaluator.evaluate(fileAt: URL(fileURLWithPath: input.dataFile), rules: rules, format: format)
        return report.checks.map { check in
            let observed: String? =
                switch check.observedValue {
                case .null: nil
                case .string(let text): text
                default: check.observedValue.jsonString()
                }
            return QualityFinding(
                rule: check.rule, check: check.check, severity: check.severity.rawValue,
                outcome: QualityOutcome(rawValue: check.outcome.rawValue) ?? .error, observed: observed,
                unexpectedCount: check.unexpectedCount, message: check.message)
        }
    }
}
