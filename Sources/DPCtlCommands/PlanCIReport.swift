import CIReports
import Manifests
import Review

/// `dpctl plan -o sarif|junit`, and annotations under GitHub Actions: the head commit's
/// validation errors, and each finding on the manifest of the object it is about (a blocking
/// finding is an error, the others warnings).
extension PlanReport {
    static let ruleDescriptions: [String: String] = [
        "prune": "The merge would delete a live object.",
        "refused": "The server would refuse the object.",
        "otherApplySet": "The object belongs to another apply set: two sources would fight over it.",
        "deleteThreshold": "More deletes than the reconciler's --max-deletes: the sync would refuse to run.",
        "qualityFailed": "A fail-severity quality check failed on the new data.",
        "quality": "A quality check warned or errored, or the data could not be evaluated.",
        "privileged": "A Run's execute, command, image or code is new or changed: code will run.",
        "ruleWouldQuarantine": "A new or changed quality rule fails fail-severity checks on its dataset's live version.",
        "urlNotAllowed": "A version's URL is outside the URL allowlist: not fetched, and the server would refuse it.",
    ]

    var ciFindings: [CIFinding] {
        func finding(_ finding: ReviewFinding, on object: PlanObject?) -> CIFinding {
            CIFinding(
                code: finding.code.rawValue, level: finding.blocking ? .error : .warning, message: finding.message,
                file: object?.origin?.file, line: object?.origin?.nameMark.line ?? 1, column: object?.origin?.nameMark.column ?? 1,
                object: object?.ref.description, ruleDescription: Self.ruleDescriptions[finding.code.rawValue])
        }
        return errors.map(CIFinding.init) + findings.map { finding($0, on: nil) }
            + objects.flatMap { object in object.findings.map { finding($0, on: object) } }
    }

    /// A JUnit case per object the merge touches (passing when it has no blocking finding),
    /// one for the head commit's validation, and one for the plan's own limits.
    var junitCases: [JUnitReport.Case] {
        let all = ciFindings
        var cases = [
            JUnitReport.Case(name: "validation of \(head.short)", findings: errors.map(CIFinding.init)),
            JUnitReport.Case(name: "plan limits", findings: all.filter { $0.object == nil && $0.file == nil }),
        ]
        for object in objects {
            let name = object.ref.description
            cases.append(JUnitReport.Case(name: name, file: object.origin?.file, findings: all.filter { $0.object == name }))
        }
        return cases
    }
}
