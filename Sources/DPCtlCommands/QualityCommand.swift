import ArgumentParser
import CLIKit
import Foundation
import Manifests
import QualityEngine

/// `dpctl quality`: data quality, evaluated locally.
struct QualityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Evaluate QualityRules against data files locally.",
        subcommands: [QualityCheck.self])
}

/// `dpctl quality check -f RULES.yaml [-f ...] DATAFILE [--check NAME] [-o text|json]`
struct QualityCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate the QualityRules in the given manifests against one data file.",
        discussion: """
            Streams DATAFILE (.csv, .jsonl or .ndjson, optionally .gz) once, running every check of \
            every QualityRule among the manifests. Exit status: 0 when all checks passed or only \
            warned, 1 when a check failed, 2 when a check could not be evaluated (or for a usage \
            error). See docs/quality.md.
            """)

    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: "A file or folder of manifests holding QualityRules; '-' reads standard input. Repeatable.")
    var filenames: [String] = []

    @Flag(name: [.customShort("R"), .long], help: "Walk folders given with -f recursively.")
    var recursive = false

    @Option(name: .customLong("check"), help: "Evaluate only the check of this name (repeatable).")
    var checks: [String] = []

    @Option(name: .customLong("rule"), help: "Evaluate only the QualityRule of this name (repeatable).")
    var rules: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Output format: text or json.")
    var output: OutputFormat = .text

    @Argument(help: "The data file.")
    var dataFile: String

    func validate() throws {
        guard !filenames.isEmpty else { throw ValidationError("no rules given; name manifest files with -f RULES.yaml") }
        if filenames.filter({ $0 == "-" }).count > 1 { throw ValidationError("-f - (standard input) can be given only once") }
    }

    func run() throws {
        var inputs: [ManifestInput] = []
        for name in filenames {
            inputs.append(name == "-" ? .bytes(name: "<stdin>", Array(FileHandle.standardInput.readDataToEndOfFile())) : .path(name))
        }
        let set = ManifestLoader(options: LoadOptions(recursive: recursive, allowExternalReferences: true)).load(inputs)
        let err = Terminal.standardError
        let style = Style(enabled: err.isColorful)
        for diagnostic in set.diagnostics where diagnostic.severity == .error {
            let field = diagnostic.path.isEmpty ? "" : style.bold(diagnostic.path) + ": "
            err.write(
                "\(style.bold("\(diagnostic.file):\(diagnostic.line):\(diagnostic.column):")) \(style.red("error:")) \(field)\(diagnostic.message)\n"
            )
        }
        guard set.isValid else {
            throw CLIError(
                "\(set.errors.count) error\(set.errors.count == 1 ? "" : "s") in the manifests; nothing was evaluated", exitCode: 2)
        }
        var qualityRules = set.manifests.filter { $0.kind == .qualityRule }
        let names = qualityRules.map(\.name)
        for wanted in rules where !names.contains(wanted) {
            throw CLIError("no QualityRule named \"\(wanted)\" in the manifests\(Suggest.hint(for: wanted, in: names))", exitCode: 2)
        }
        if !rules.isEmpty { qualityRules = qualityRules.filter { rules.contains($0.name) } }
        guard !qualityRules.isEmpty else { throw CLIError("the manifests hold no QualityRule", exitCode: 2) }
        if !checks.isEmpty {
            let all = qualityRules.flatMap { $0.spec["checks"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [] }
            for wanted in checks where !all.contains(wanted) {
                throw CLIError("no check named \"\(wanted)\" in the rules\(Suggest.hint(for: wanted, in: all))", exitCode: 2)
            }
        }
        let ruleInputs = qualityRules.map { manifest -> QualityRuleInput in
            var subset: [String]?
            if !checks.isEmpty {
                let own = manifest.spec["checks"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
                subset = checks.filter { own.contains($0) }
            }
            return QualityRuleInput(name: manifest.name, spec: manifest.spec, checks: subset)
        }
        let report: EvaluationReport
        do {
            report = try Evaluator.evaluate(fileAt: URL(fileURLWithPath: dataFile), rules: ruleInputs)
        } catch let error as QualityEngineError {
            throw CLIError(error.message, exitCode: 2)
        }
        switch output {
        case .json: Terminal.standardOutput.write(report.json.jsonString(pretty: true) + "\n")
        case .text: printText(report)
        }
        switch report.outcome {
        case .passed, .warned: return
        case .failed: throw CLIError.exit(1)
        case .error: throw CLIError.exit(2)
        }
    }

    private func printText(_ report: EvaluationReport) {
        let out = Terminal.standardOutput
        let style = Style(enabled: out.isColorful)
        func paint(_ outcome: Outcome) -> String {
            switch outcome {
            case .passed: return style.green(outcome.rawValue)
            case .warned: return style.yellow(outcome.rawValue)
            case .failed, .error: return style.red(outcome.rawValue)
            }
        }
        let rows = report.checks.map { c -> [String] in
            let unexpected = c.type == "rowCount" || c.outcome == .error ? "" : "\(c.unexpectedCount)/\(c.elementCount)"
            return [c.rule, c.check, c.type, c.severity.rawValue, c.outcome.rawValue, unexpected, c.message]
        }
        var text = Table(header: ["RULE", "CHECK", "TYPE", "SEVERITY", "OUTCOME", "UNEXPECTED", "MESSAGE"], rows: rows).render(
            width: out.width)
        if style.enabled {
            for outcome in Outcome.allCases {
                text = text.replacingOccurrences(of: "   \(outcome.rawValue)   ", with: "   \(paint(outcome))   ")
            }
        }
        out.write(text)
        for issue in report.issues { out.write(style.yellow("issue: ") + issue + "\n") }
        let summary = "\(report.rows) rows, \(report.bytes) bytes (\(report.format)): "
        out.write(summary + paint(report.outcome) + "\n")
    }
}
