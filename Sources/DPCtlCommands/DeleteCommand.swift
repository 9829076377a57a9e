import APIClient
import APIModel
import ArgumentParser
import CLIKit
import Manifests
import SyncEngine

/// `dpctl delete -f PATH...` or `dpctl delete KIND NAME...`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete the objects named by manifests, or by kind and name.",
        discussion: """
            Objects are deleted in reverse dependency order (runs before experiments, rules before \
            datasets). Dataset versions are immutable records and cannot be deleted. Exit status: 0 \
            when every object was deleted, 1 otherwise, 2 for a usage error.
            """)

    @OptionGroup var manifests: ManifestArguments
    @Argument(help: "KIND NAME...: the kind (plural or short name) and the names to delete.") var arguments: [String] = []
    @Flag(help: "Succeed for objects that do not exist.") var ignoreNotFound = false
    @Option(help: "none, client (only say what would be deleted) or server (the server checks each delete and keeps everything).")
    var dryRun: DryRun = .none
    @Option(name: [.customShort("o"), .long], help: "Output format: text or json.") var output: OutputFormat = .text
    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?

    func validate() throws {
        switch (manifests.filenames.isEmpty, arguments.isEmpty) {
        case (true, true): throw ValidationError("name what to delete: -f PATH, or KIND NAME...")
        case (false, false): throw ValidationError("give -f PATH or KIND NAME..., not both")
        case (true, false):
            guard let kind = ManifestKind(argument: arguments[0]) else {
                let names = ManifestKind.allCases.map(\.plural)
                throw ValidationError(
                    "unknown kind \"\(arguments[0])\"" + Suggest.hint(for: arguments[0], in: names) + "; kinds are "
                        + names.joined(separator: ", "))
            }
            guard arguments.count > 1 else {
                throw ValidationError("name the \(kind.singular) to delete: dpctl delete \(arguments[0]) NAME")
            }
        case (false, true): break
        }
    }

    func run() async throws {
        var refs: [ObjectRef]
        if manifests.filenames.isEmpty {
            let kind = ManifestKind(argument: arguments[0])!
            refs = arguments.dropFirst().map { ObjectRef(kind, $0) }
        } else {
            refs = try manifests.load(exitCode: 1).map(\.ref)
        }
        refs = Array(Set(refs)).sorted(by: >)
        let session = try await Reconciliation(context: context, root: manifests.resolvedRoot, tool: "dpctl delete")
        let live = try await session.live(Set(refs.map(\.kind)))
        var results: [ApplyResult] = []
        var items: [PlanItem] = []
        for ref in refs {
            guard let object = live[ref] else {
                if !ignoreNotFound { results.append(ApplyResult(ref: ref, outcome: .failed, message: "not found")) }
                continue
            }
            if ref.kind == .datasetVersion {
                results.append(
                    ApplyResult(ref: ref, outcome: .refused, message: "dataset versions are immutable records and cannot be deleted"))
                continue
            }
            items.append(PlanItem.deletion(of: ref, live: object))
        }
        if dryRun == .client {
            results += items.map { ApplyResult(ref: $0.ref, outcome: .deleted) }
        } else {
            let applier = Applier(
                client: session.client,
                options: .init(
                    serverDryRun: dryRun == .server, source: session.source,
                    root: session.root, deleteOutcome: .deleted))
            results += await applier.apply(Plan(items: items))
        }
        results.sort { $0.ref > $1.ref }
        let suffix = dryRun == .none ? "" : dryRun == .client ? " (dry run)" : " (server dry run)"
        switch output {
        case .json:
            Terminal.standardOutput.write(
                JSONValue.object([JSONMember("results", .array(results.map(\.json)))]).jsonString(pretty: true) + "\n")
        case .text:
            Terminal.standardOutput.write(
                results.map { r in
                    "\(r.ref) \(r.outcome.rawValue)\(suffix)" + (r.message.map { ": " + $0 } ?? "") + "\n"
                }.joined())
        }
        if results.contains(where: { $0.outcome.isFailure }) { throw CLIError.exit(1) }
    }
}
