import APIClient
import APIModel
import Manifests

/// A new or changed QualityRule evaluated against its dataset's live version on the server
/// (`POST /api/evaluations/dry-run`, which stores nothing): what the merge would do to the data
/// already there. A fail-severity check that fails means the merge would quarantine that version.
struct RuleReview {
    let client: APIClient

    /// The rule's checks on the live version, and what the reviewer must see.
    func run(_ rule: Manifest) async -> (QualityResult, [ReviewFinding]) {
        let dataset = rule.spec["dataset"]?.stringValue ?? ""
        let answer: RuleDryRun
        do {
            let response = try await client.send("POST", APIPath.evaluationDryRun, json: rule.body)
            answer = try RuleDryRun.decode(response.json)
        } catch let error as APIError {
            let fields = error.problem?.errors ?? []
            if fields.contains(where: { $0.path == "spec.dataset" && $0.code == "not-found" }) {
                let note = "Dataset \(dataset) is not on the server yet: there is no live version to evaluate this rule against"
                return (QualityResult(evaluated: false, findings: [], note: note), [])
            }
            if let refused = fields.first(where: { $0.code == "unsupported-format" }) {
                let finding = ReviewFinding(.refused, "\(ObjectRef(.qualityRule, rule.name)): \(refused.message)", blocking: true)
                return (QualityResult(evaluated: false, findings: [], note: refused.message, problem: finding), [finding])
            }
            return Self.unevaluated("not evaluated against the live data: \(error.message)")
        } catch {
            return Self.unevaluated("not evaluated against the live data: the server's answer: \(error)")
        }
        guard let version = answer.datasetVersion, answer.outcome != nil else {
            let note = answer.note ?? "Dataset \(dataset) has no live version: nothing to evaluate this rule against"
            return (QualityResult(evaluated: false, findings: [], note: note, liveVersion: answer.datasetVersion), [])
        }
        let findings = answer.checks.map { check in
            QualityFinding(
                rule: rule.name, check: check.check, severity: check.severity,
                outcome: QualityOutcome(rawValue: check.outcome) ?? .error, observed: check.observed,
                unexpectedCount: check.unexpectedCount, message: check.message)
        }
        let result = QualityResult(
            evaluated: true, findings: QualityReview.ordered(findings), note: Self.summary(answer, version: version),
            liveVersion: version)
        return (result, Self.findings(answer, rule: rule.name, version: version))
    }

    static func unevaluated(_ note: String) -> (QualityResult, [ReviewFinding]) {
        (QualityResult(evaluated: false, findings: [], note: note), [ReviewFinding(.quality, note, blocking: false)])
    }

    static func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }

    static func names(_ checks: [RuleDryRunCheck]) -> String {
        let shown = checks.prefix(10).map(\.check).joined(separator: ", ")
        return checks.count > 10 ? shown + ", ..." : shown
    }

    /// One line on what the rule does to the live version.
    static func summary(_ answer: RuleDryRun, version: String) -> String {
        let failing = answer.failing
        if !failing.isEmpty {
            return "this rule would quarantine \(version): \(count(failing.count, "check")) fail\(failing.count == 1 ? "s" : "")"
        }
        let warned = answer.checks.filter { $0.outcome == "FAILED" || $0.outcome == "WARNED" }
        let errors = answer.checks.filter { $0.outcome == "ERROR" }
        if !errors.isEmpty { return "on the live version \(version) \(count(errors.count, "check")) could not run" }
        if !warned.isEmpty {
            return "this rule would warn on \(version): \(count(warned.count, "check")) warn\(warned.count == 1 ? "s" : "")"
        }
        return
            "this rule passes on the live version \(version): \(count(answer.checks.count, "check")) pass\(answer.checks.count == 1 ? "es" : "")"
    }

    static func findings(_ answer: RuleDryRun, rule: String, version: String) -> [ReviewFinding] {
        let ref = ObjectRef(.qualityRule, rule)
        var out: [ReviewFinding] = []
        let failing = answer.failing
        if !failing.isEmpty {
            out.append(
                ReviewFinding(
                    .ruleWouldQuarantine,
                    "\(ref): this rule would quarantine \(version): \(count(failing.count, "check")) fail\(failing.count == 1 ? "s" : "") (\(names(failing)))",
                    blocking: true))
        }
        let warned = answer.checks.filter { ($0.outcome == "FAILED" && $0.severity != "fail") || $0.outcome == "WARNED" }
        if !warned.isEmpty {
            out.append(
                ReviewFinding(
                    .quality,
                    "\(ref): this rule would warn on \(version): \(count(warned.count, "check")) warn\(warned.count == 1 ? "s" : "") (\(names(warned)))",
                    blocking: false))
        }
        let errors = answer.checks.filter { $0.outcome == "ERROR" }
        if !errors.isEmpty {
            out.append(
                ReviewFinding(
                    .quality,
                    "\(ref): on \(version) \(count(errors.count, "check")) could not run (\(names(errors))): \(errors[0].message)",
                    blocking: false))
        }
        return out
    }
}
