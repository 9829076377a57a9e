import ArgumentParser
import CLIKit
import Manifests

/// `dpctl`: the DataPilot command line. The executable only calls `DPCtl.main(arguments:)`.
public struct DPCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dpctl",
        abstract: "Drive DataPilot from manifests in git: validate, diff and apply them, show and delete what the server has.",
        discussion: """
            Manifests are YAML documents of the kinds Dataset, DatasetVersion, QualityRule, \
            Experiment and Run (apiVersion datapilot.io/v1alpha1). See docs/manifests.md.
            """,
        version: DPCtlVersion.string,
        subcommands: [
            Validate.self, ApplyCommand.self, DiffCommand.self, PlanCommand.self, DriftCommand.self, GetCommand.self, DeleteCommand.self,
            ReconcileCommand.self,
            QualityCommand.self, StatusCommand.self, ConfigCommand.self, EvidenceCommand.self, AuditCommand.self, KeysCommand.self,
            NotificationsCommand.self, AdmitCommand.self, QuarantineCommand.self, SourceCommand.self,
            GenerateSchemas.self, CompletionCommand.self, Version.self,
        ])

    public init() {}

    /// Parses and runs a command line, returning the process exit code. Usage errors exit 2,
    /// like kubectl's, rather than ArgumentParser's 64. (`dpctl reconcile` never gets here: the
    /// executable hands it to datapilot-reconciler first, see `ReconcilerLauncher`.)
    public static func main(arguments: [String]) async -> Int32 {
        if let first = arguments.first, !first.hasPrefix("-"), first != "help" {
            let names = configuration.subcommands.compactMap { $0.configuration.commandName ?? String(describing: $0).lowercased() }
            if !names.contains(first) {
                let hint = Suggest.closest(to: first, in: names).map { " (did you mean \"\($0)\"?)" } ?? ""
                Terminal.standardError.write(
                    "Error: unknown command \"\(first)\" for \"dpctl\"\(hint)\nRun 'dpctl --help' for the list of commands.\n")
                return 2
            }
        }
        let arguments = arguments.first == "apply" ? ApplyCommand.expandingWait(arguments) : arguments
        return await CommandRunner.run(DPCtl.self, arguments: arguments)
    }
}

public enum DPCtlVersion {
    public static let string = "0.1.0"
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print dpctl's version.")

    func run() {
        print("dpctl \(DPCtlVersion.string) (manifests \(ManifestKind.apiVersion))")
    }
}
