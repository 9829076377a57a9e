import Foundation
import Manifests
import TestSupport
import Testing

@testable import QualityEngine

/// The example rules against the example data: they are meant to be green.
@Suite struct ExampleTests {
    static let cases: [(rules: String, data: String, outcome: Outcome, rows: Int)] = [
        ("examples/quality/churn-hygiene.yaml", "examples/data/churn-2026-09.csv", .passed, 473),
        ("examples/quality/churn-hygiene.yaml", "examples/data/churn-2026-10.csv", .passed, 373),
        ("examples/quality/churn-contact.yaml", "examples/data/churn-2026-09.csv", .passed, 473),
        ("examples/quality/churn-contact.yaml", "examples/data/churn-2026-10.csv", .passed, 373),
        ("examples/quality/support-tickets.yaml", "examples/data/support-tickets-2026-10.jsonl", .passed, 260),
    ]

    @Test(arguments: cases)
    func examplesAreGreen(_ rules: String, _ data: String, _ outcome: Outcome, _ rows: Int) throws {
        let inputs = try ruleInputs(rules)
        #expect(!inputs.isEmpty)
        let report = try Evaluator.evaluate(fileAt: repositoryRoot.appendingPathComponent(data), rules: inputs, now: fixedNow)
        for check in report.checks where check.outcome != .passed {
            Issue.record("\(check.rule)/\(check.check): \(check.outcome) \(check.message)")
        }
        #expect(report.outcome == outcome)
        #expect(report.rows == rows)
        #expect(report.checks.count == inputs.reduce(0) { $0 + ($1.spec["checks"]?.arrayValue?.count ?? 0) })
        #expect(report.issues.isEmpty, "\(report.issues)")
    }
}
