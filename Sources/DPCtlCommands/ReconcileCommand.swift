import ArgumentParser
import CLIKit

/// `dpctl reconcile`: the reconciler is an executable of its own, `datapilot-reconciler`, so that
/// dpctl links no HTTP server and no Postgres client. dpctl hands the command line to it (the
/// executable does so before parsing; this command is what `dpctl --help` lists).
struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Watch git repositories and keep the server in step with their manifests.",
        discussion: """
            Runs \(ReconcilerLauncher.program) with the same arguments, found next to dpctl or else \
            on PATH; `dpctl reconcile --help` lists its options (see docs/reconciler.md).
            """)

    @Argument(parsing: .captureForPassthrough, help: "The reconciler's arguments.") var arguments: [String] = []

    func run() throws {
        throw CLIError.exit(ReconcilerLauncher.exec(arguments: arguments))
    }
}
