import Foundation
import Manifests
import Review
import Testing

/// A quality gate for tests only (the real engine replaces it at merge): evaluates rowCount
/// checks by counting the data file's lines (a CSV header is not a row); other checks pass untested.
let lineCountingGate = ClosureQualityGate { input in
    let text = (try? String(contentsOfFile: input.dataFile, encoding: .utf8)) ?? ""
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).count
    let rows = input.dataFile.hasSuffix(".jsonl") ? lines : max(0, lines - 1)
    var findings: [QualityFinding] = []
    for rule in input.rules {
        let ruleSeverity = rule.spec["severity"]?.stringValue ?? "fail"
        for check in rule.spec["checks"]?.arrayValue ?? [] {
            guard let count = check["rowCount"] else { continue }
            let name = check["name"]?.stringValue ?? "rowCount"
            let severity = check["severity"]?.stringValue ?? ruleSeverity
            let min = count["min"]?.numberValue.map(Int.init), max = count["max"]?.numberValue.map(Int.init)
            let ok = (min.map { rows >= $0 } ?? true) && (max.map { rows <= $0 } ?? true)
            findings.append(
                QualityFinding(
                    rule: rule.name, check: name, severity: severity,
                    outcome: ok ? .passed : severity == "fail" ? .failed : .warned, observed: "rows=\(rows)",
                    unexpectedCount: ok ? 0 : abs(rows - (min ?? rows)),
                    message: ok ? "\(rows) rows" : "\(rows) rows, expected at least \(min ?? 0)"))
        }
    }
    return findings
}

/// Compares `text` with `Tests/ServerTests/Golden/NAME`; DATAPILOT_UPDATE_GOLDEN=1 rewrites the file.
func expectGolden(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["DATAPILOT_UPDATE_GOLDEN"] == "1" {
        try text.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    let expected = (try? String(contentsOf: file, encoding: .utf8)) ?? "(missing: run with DATAPILOT_UPDATE_GOLDEN=1)"
    #expect(
        text == expected, "\(name) differs from the golden file; rerun with DATAPILOT_UPDATE_GOLDEN=1 if the change is intended:\n\(text)",
        sourceLocation: sourceLocation)
}

/// Commit ids vary with the time of the test: golden files name them BASE and HEAD.
func normalized(_ text: String, base: String, head: String) -> String {
    text.replacingOccurrences(of: base, with: "BASE").replacingOccurrences(of: head, with: "HEAD")
        .replacingOccurrences(of: String(base.prefix(12)), with: "BASE").replacingOccurrences(of: String(head.prefix(12)), with: "HEAD")
}

func scratchFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("plan-test-\(UUID().uuidString)").path
}
