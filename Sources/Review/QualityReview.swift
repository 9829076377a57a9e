import Manifests
import SyncEngine

/// Runs a dataset's quality rules from the head commit on a new or changed version's data
/// file through the gate: the file in the repository, or the one its URL serves (fetched
/// within the URL allowlist by `URLVersionReview`).
struct QualityReview {
    let gate: any QualityGate
    let desired: [Manifest]
    /// Fetches versions given by URL; nil leaves them unevaluated.
    var urls: URLVersionReview?

    /// Nil when the version has no data to evaluate here.
    func run(_ version: Manifest, content: Result<VersionContent, ContentError>?) async -> QualityResult? {
        let url = version.spec["source"]?["url"]?.stringValue
        guard version.spec["source"]?["path"]?.stringValue != nil || url != nil else { return nil }
        let datasetName = version.spec["dataset"]?.stringValue ?? ""
        let rules = desired.filter { $0.kind == .qualityRule && $0.spec["dataset"]?.stringValue == datasetName }
        let file: String
        var fetched: String?
        if url != nil {
            // Fetched only when there is something to check.
            guard !rules.isEmpty else {
                return QualityResult(evaluated: true, findings: [], note: "dataset \(datasetName) has no quality rules in this commit")
            }
            guard let urls else { return nil }
            switch await urls.fetch(version) {
            case .failure(let refusal):
                return QualityResult(evaluated: false, findings: [], note: refusal.message, problem: refusal.finding)
            case .success(let path): file = path
            }
            fetched = "fetched from \(URLVersionReview.shown(url ?? "")), sha256 checked"
        } else {
            switch content {
            case .success(let found)?:
                guard let path = found.file else { return nil }
                file = path
            case .failure(let error)?:
                return QualityResult(evaluated: false, findings: [], note: "not evaluated: \(error.description)")
            case nil:
                return QualityResult(evaluated: false, findings: [], note: "not evaluated: the data file was not read")
            }
        }
        if rules.isEmpty {
            return QualityResult(evaluated: true, findings: [], note: "dataset \(datasetName) has no quality rules in this commit")
        }
        let dataset = desired.first { $0.kind == .dataset && $0.name == datasetName }
        do {
            let findings = try await gate.evaluate(QualityGateInput(version: version, dataset: dataset, dataFile: file, rules: rules))
            return QualityResult(evaluated: true, findings: Self.ordered(findings), note: fetched)
        } catch let unavailable as QualityGateUnavailable {
            return QualityResult(evaluated: false, findings: [], note: unavailable.description)
        } catch {
            let findings = rules.map { rule in
                QualityFinding(
                    rule: rule.name, check: "*", severity: rule.spec["severity"]?.stringValue ?? "fail", outcome: .error,
                    message: "the evaluation failed: \(error)")
            }
            return QualityResult(evaluated: true, findings: findings, note: nil)
        }
    }

    /// Failures first, then errors, warnings and passes; by rule and check within each.
    static func ordered(_ findings: [QualityFinding]) -> [QualityFinding] {
        let rank: [QualityOutcome: Int] = [.failed: 0, .error: 1, .warned: 2, .passed: 3]
        return findings.sorted { ((rank[$0.outcome] ?? 4), $0.rule, $0.check) < ((rank[$1.outcome] ?? 4), $1.rule, $1.check) }
    }

    /// What the reviewer must see from a version's results.
    static func findings(_ result: QualityResult) -> [ReviewFinding] {
        var out: [ReviewFinding] = []
        for finding in result.findings {
            let name = "\(finding.rule)/\(finding.check)"
            switch finding.outcome {
            case .failed where finding.severity == "fail":
                out.append(ReviewFinding(.qualityFailed, "quality check \(name) failed: \(finding.message)", blocking: true))
            case .failed, .warned:
                out.append(ReviewFinding(.quality, "quality check \(name) warned: \(finding.message)", blocking: false))
            case .error:
                out.append(ReviewFinding(.quality, "quality check \(name) could not run: \(finding.message)", blocking: false))
            case .passed:
                break
            }
        }
        if let problem = result.problem {
            out.append(problem)
        } else if !result.evaluated, let note = result.note {
            out.append(ReviewFinding(.quality, note, blocking: false))
        }
        return out
    }
}
