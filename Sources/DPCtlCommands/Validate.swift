import ArgumentParser
import CIReports
import CLIKit
import Foundation
import Manifests

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `dpctl validate -o`: the usual two, and what CI systems read.
enum ValidateOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, junit
}

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check manifests without applying them.",
        discussion: """
            Reports every problem as FILE:LINE:COLUMN: error: FIELD: MESSAGE. Exit status: 0 when \
            all manifests are valid, 1 when any is not, 2 for a usage error. In CI: -o sarif \
            (SARIF 2.1.0, for GitHub code scanning's upload-sarif) or -o junit (JUnit XML, for \
            GitLab's junit report); under GitHub Actions (GITHUB_ACTIONS=true) -o text also writes \
            every problem as an annotation on the line it names.
            """)

    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: "A file or folder of manifests; '-' reads standard input. Repeatable.")
    var filenames: [String] = []

    @Flag(name: [.customShort("R"), .long], help: "Walk folders given with -f recursively.")
    var recursive = false

    @Option(name: [.customShort("o"), .long], help: "Output format: text, json, sarif or junit.")
    var output: ValidateOutput = .text

    @Option(
        help: "Repository root that data file paths must stay inside (default: the git work tree holding the files, or the folder given).")
    var root: String?

    @Flag(
        name: .customLong("allow-external-refs"),
        help: "Treat references to objects not among these manifests as warnings: they must exist on the server.")
    var allowExternalRefs = false

    func validate() throws {
        guard !filenames.isEmpty else {
            throw ValidationError("no manifests given; name files or folders with -f PATH (or -f - for standard input)")
        }
        if filenames.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("-f - (standard input) can be given only once")
        }
    }

    func run() async throws {
        var inputs: [ManifestInput] = []
        for name in filenames {
            if name == "-" {
                inputs.append(.bytes(name: "<stdin>", Array(FileHandle.standardInput.readDataToEndOfFile())))
            } else {
                inputs.append(.path(name))
            }
        }
        let options = LoadOptions(recursive: recursive, root: root, allowExternalReferences: allowExternalRefs)
        let set = ManifestLoader(options: options).load(inputs)
        switch output {
        case .json: Terminal.standardOutput.write(ValidationReport(set).json + "\n")
        case .text: printText(set)
        case .sarif:
            Terminal.standardOutput.write(SARIFLog(diagnostics: set.diagnostics, tool: "dpctl", version: DPCtlVersion.string).text + "\n")
        case .junit:
            let files = set.manifests.map(\.origin.file)
            Terminal.standardOutput.write(JUnitReport(suiteName: "dpctl validate", files: files, diagnostics: set.diagnostics).text)
        }
        // Annotations share standard output with the text summary only: a SARIF, JUnit or JSON
        // document there must stay one document.
        if output == .text, ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            for line in GitHubAnnotations.lines(set.diagnostics) { Terminal.standardOutput.write(line + "\n") }
        }
        if !set.isValid { throw CLIError.exit(1) }
    }

    func printText(_ set: ManifestSet) {
        let err = Terminal.standardError
        let style = Style(enabled: err.isColorful)
        for diagnostic in set.diagnostics {
            let severity = diagnostic.severity == .error ? style.red("error:") : style.yellow("warning:")
            let field = diagnostic.path.isEmpty ? "" : style.bold(diagnostic.path) + ": "
            err.write(
                "\(style.bold("\(diagnostic.file):\(diagnostic.line):\(diagnostic.column):")) \(severity) \(field)\(diagnostic.message)\n")
        }
        let counted =
            "\(set.manifests.count) manifest\(set.manifests.count == 1 ? "" : "s") in \(set.filesRead) file\(set.filesRead == 1 ? "" : "s")"
        if set.isValid {
            let warnings = set.warnings.count
            let suffix = warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : ""
            Terminal.standardOutput.write(Style(enabled: Terminal.standardOutput.isColorful).green("valid") + ": \(counted)\(suffix)\n")
        } else {
            let errors = set.errors.count
            err.write(style.red("invalid") + ": \(errors) error\(errors == 1 ? "" : "s"); \(counted) passed. Nothing was applied.\n")
        }
    }
}

/// The `-o json` form of a validation: the verdict, counts, every diagnostic and every object.
struct ValidationReport {
    let set: ManifestSet

    init(_ set: ManifestSet) { self.set = set }

    var json: String {
        let diagnostics = set.diagnostics.map { d -> JSONValue in
            [
                "severity": .string(d.severity.rawValue), "code": .string(d.code.rawValue), "file": .string(d.file),
                "line": .int(Int64(d.line)), "column": .int(Int64(d.column)), "path": .string(d.path),
                "message": .string(d.message),
            ]
        }
        let objects = set.manifests.map { m -> JSONValue in
            [
                "kind": .string(m.kind.rawValue), "name": .string(m.name), "file": .string(m.origin.file),
                "line": .int(Int64(m.origin.mark.line)), "digest": .string(m.digest),
            ]
        }
        let report: JSONValue = [
            "valid": .bool(set.isValid),
            "files": .int(Int64(set.filesRead)),
            "manifests": .int(Int64(set.manifests.count)),
            "errors": .int(Int64(set.errors.count)),
            "warnings": .int(Int64(set.warnings.count)),
            "diagnostics": .array(diagnostics),
            "objects": .array(objects),
        ]
        return report.jsonString(pretty: true)
    }
}
