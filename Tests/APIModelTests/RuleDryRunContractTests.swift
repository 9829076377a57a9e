import APIModel
import Manifests
import Testing

/// `RuleDryRun`, the answer of `POST /api/evaluations/dry-run`, against docs/openapi.yaml, fully
/// set and minimal, and its own checks.
@Suite struct RuleDryRunContractTests {
    @Test func theAnswerIsWhatTheDocumentSays() throws {
        let document = try OpenAPIDocument()
        let schema = try document.schema(named: "RuleDryRun")
        let full = RuleDryRun(
            rule: "churn-hygiene", dataset: "churn", datasetVersion: "churn-2026-10", versionSha256: String(repeating: "a", count: 64),
            outcome: "FAILED", rows: 373, format: "csv",
            checks: [
                RuleDryRunCheck(
                    check: "enough-rows", type: "rowCount", severity: "fail", outcome: "FAILED", observed: "373", unexpectedCount: 0,
                    message: "373 rows, fewer than 1000000")
            ])
        #expect(try document.mismatches(full.json, schema) == [])
        let minimal = RuleDryRun(rule: "r", dataset: "empty", note: "Dataset \"empty\" has no versions on the server")
        #expect(try document.mismatches(minimal.json, schema) == [])
        #expect(try RuleDryRun.decode(full.json) == full)
        #expect(full.failing.map(\.check) == ["enough-rows"])
    }

    @Test func anUnknownOutcomeIsNamed() throws {
        var body = RuleDryRun(rule: "r", dataset: "d", outcome: "MAYBE")
        #expect(throws: BodyError("outcome", "one of ERROR, FAILED, PASSED, WARNED")) { try body.validate() }
        body.outcome = "PASSED"
        body.checks = [
            RuleDryRunCheck(check: "c", type: "rowCount", severity: "fail", outcome: "NOPE", observed: nil, unexpectedCount: 0, message: "")
        ]
        #expect(throws: BodyError("checks[0].outcome", "one of ERROR, FAILED, PASSED, WARNED")) { try body.validate() }
    }
}
