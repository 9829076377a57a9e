import Foundation
import Manifests
import TestSupport

@testable import QualityEngine

/// A fixed clock: the examples' data is from autumn 2026.
let fixedNow = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30

/// A rule from YAML-ish JSON written inline.
func rule(_ checks: [JSONValue], name: String = "r", severity: String = "fail") -> QualityRuleInput {
    QualityRuleInput(name: name, spec: ["dataset": "d", "severity": .string(severity), "checks": .array(checks)])
}

/// Evaluates bytes fed in one chunk (or in chunks of `chunk` bytes).
func evaluate(_ text: String, _ rules: [QualityRuleInput], format: DataFormat = .csv, chunk: Int? = nil, now: Date = fixedNow) throws
    -> EvaluationReport
{
    try evaluate(bytes: Array(text.utf8), rules, format: format, chunk: chunk, now: now)
}

func evaluate(bytes: [UInt8], _ rules: [QualityRuleInput], format: DataFormat = .csv, chunk: Int? = nil, now: Date = fixedNow) throws
    -> EvaluationReport
{
    var evaluator = try Evaluator(rules: rules, format: format, now: now)
    if let chunk {
        var i = 0
        while i < bytes.count {
            try evaluator.feed(Array(bytes[i..<min(bytes.count, i + chunk)]))
            i += chunk
        }
    } else {
        try evaluator.feed(bytes)
    }
    return evaluator.finish()
}

extension EvaluationReport {
    func check(_ name: String) -> CheckResult? { checks.first { $0.check == name } }
}

/// The QualityRule manifests of a file, as the engine takes them.
func ruleInputs(_ path: String) throws -> [QualityRuleInput] {
    let set = ManifestLoader(options: LoadOptions(allowExternalReferences: true)).load([
        .path(repositoryRoot.appendingPathComponent(path).path)
    ])
    return set.manifests.filter { $0.kind == .qualityRule }.map { QualityRuleInput(name: $0.name, spec: $0.spec) }
}
