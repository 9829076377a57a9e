import Foundation
import Manifests
import TestSupport
import Testing

@testable import QualityEngine

/// An independent reference: DuckDB computes the counts of bench/quality/rules.yaml over a
/// generated CSV (50,000 rows with nulls, duplicates, out-of-range and malformed values) and
/// every count must agree exactly.
@Suite struct DuckDBCrossCheckTests {
    @Test func countsAgreeWithDuckDB() throws {
        let probe = try Subprocess.run("python3", ["-c", "import duckdb"], combined: true)
        guard probe.status == 0 else {
            Issue.record(
                "python3 cannot import duckdb: run scripts/test.sh (it installs the Python test peers) or `python3 -m pip install duckdb`")
            return
        }
        let folder = try scratchFolder("quality")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("churn.csv")
        let bench = repositoryRoot.appendingPathComponent("bench/quality")
        let generated = try Subprocess.run(
            "python3", [bench.appendingPathComponent("generate.py").path, data.path, "--rows", "50000", "--seed", "7"], combined: true)
        try #require(generated.status == 0, "\(generated.stdout)")
        let duck = try Subprocess.run("python3", [bench.appendingPathComponent("duckdb_checks.py").path, data.path], combined: true)
        try #require(duck.status == 0, "\(duck.stdout)")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(duck.stdout.utf8)) as? [String: Any])

        let report = try Evaluator.evaluate(fileAt: data, rules: try ruleInputs("bench/quality/rules.yaml"), now: fixedNow)
        #expect(report.issues.isEmpty, "\(report.issues)")
        #expect(report.rows == expected["rows"] as? Int)
        for check in report.checks {
            if check.type == "rowCount" {
                #expect(check.observedValue == .int(Int64(report.rows)))
            } else if check.type == "freshness" {
                #expect(check.observedValue["newest"]?.stringValue == expected[check.check] as? String)
            } else {
                #expect(
                    check.unexpectedCount == expected[check.check] as? Int,
                    "\(check.check): ours \(check.unexpectedCount), DuckDB \(expected[check.check] ?? "none")")
            }
        }
        #expect(report.checks.count == 10)
        #expect(report.checks.allSatisfy { $0.unexpectedCount > 0 || $0.type == "rowCount" }, "every fault kind occurs in the data")
    }
}
