import APIClient
import ArgumentParser
import CLIKit
import Manifests
import SyncEngine

/// `dpctl diff -f PATH...`: what apply would change, as a unified diff of YAML.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what apply would change, as a unified diff of the live and desired objects.",
        discussion: """
            Server-owned fields (uid, resourceVersion, timestamps, status) and fields listed in the \
            datapilot.io/ignore-differences annotation are left out. Exit status: 0 when nothing \
            would change, 1 when something would, 2 or more on an error.
            """)

    @OptionGroup var manifests: ManifestArguments
    @Option(help: "Also show what --prune would delete from this apply set.") var applyset: String?
    @Flag(help: "With --applyset: show the deletes prune would make.") var prune = false
    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?

    func validate() throws {
        guard !manifests.filenames.isEmpty else {
            throw ValidationError("no manifests given; name files or folders with -f PATH (or -f - for standard input)")
        }
        if prune && applyset == nil { throw ValidationError("--prune needs --applyset NAME") }
        if let applyset, !StringFormat.dnsSubdomain.accepts(applyset) {
            throw ValidationError("--applyset \"\(applyset)\": \(StringFormat.dnsSubdomain.expectation)")
        }
    }

    func run() async throws {
        let desired = try manifests.load(exitCode: 2)
        let plan: Plan
        do {
            // The same live state, inventory and plan as apply, without writing anything.
            let session = try await Reconciliation(context: context, root: manifests.resolvedRoot, tool: "dpctl diff")
            let request = SyncRequest(
                manifests: desired, applySet: applyset, prune: prune, maxDeletes: .max, dryRun: .client,
                source: session.source, root: session.root, content: LocalContent(root: session.root))
            plan = try await Sync(client: session.client).run(request).plan
        } catch let error as SyncError {
            throw CLIError(error.description, exitCode: 2)
        } catch let error as CLIError {
            throw CLIError(error.description, exitCode: 2)
        }
        let out = Terminal.standardOutput
        let style = Style(enabled: out.isColorful)
        for item in plan.changes {
            let old = item.liveForm.map(YAMLEmitter.emit) ?? ""
            let new = item.desiredForm.map(YAMLEmitter.emit) ?? ""
            let text = UnifiedDiff.render(old: old, new: new, oldName: "live/\(item.ref)", newName: "desired/\(item.ref)")
            out.write(
                text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line -> String in
                    if line.hasPrefix("+++") || line.hasPrefix("---") { return style.bold(String(line)) }
                    if line.hasPrefix("+") { return style.green(String(line)) }
                    if line.hasPrefix("-") { return style.red(String(line)) }
                    if line.hasPrefix("@@") { return style.dim(String(line)) }
                    return String(line)
                }.joined(separator: "\n") + (text.isEmpty ? "" : "\n"))
            if let reason = item.reason {
                Terminal.standardError.write(
                    "\(Style(enabled: Terminal.standardError.isColorful).yellow("warning:")) \(item.ref): \(reason)\n")
            }
        }
        if plan.hasChanges { throw CLIError.exit(1) }
    }
}
