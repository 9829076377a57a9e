import APIClient
import ArgumentParser
import Foundation
import Manifests
import Reconcile

enum DryRun: String, ExpressibleByArgument, CaseIterable {
    case none, client, server
}

/// `dpctl apply -f PATH...`: make the server match the manifests.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the server match the manifests: create what is missing, update what differs.",
        discussion: """
            Objects are written in dependency order (Dataset, DatasetVersion, QualityRule, Experiment, \
            Run), up to --concurrency at a time; a rerun writes nothing when nothing changed. With \
            --applyset NAME the objects applied are recorded in that apply set's inventory on the \
            server, and --prune deletes the members no longer in the manifests (never from an empty \
            set, never objects annotated datapilot.io/protected=true, at most --max-deletes). \
            Fields listed in an object's datapilot.io/ignore-differences annotation (JSON pointers) \
            are neither compared nor overwritten. Exit status: 0 on success, including no change; 1 \
            when any object was refused, failed or skipped; 2 for a usage error.
            """)

    @OptionGroup var manifests: ManifestArguments
    @Option(help: "none, client (plan only, nothing sent but reads) or server (the server validates every write and keeps nothing).")
    var dryRun: DryRun = .none
    @Option(help: "The apply set whose inventory records the objects applied.") var applyset: String?
    @Flag(help: "Delete the apply set's members that are no longer in the manifests (needs --applyset).") var prune = false
    @Option(help: "With --prune: refuse to delete more objects than this.") var maxDeletes = 10
    @Option(help: "Writes in flight at once.") var concurrency = 8
    @Option(name: [.customShort("o"), .long], help: "Output format: text or json.") var output: OutputFormat = .text
    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?

    func validate() throws {
        guard !manifests.filenames.isEmpty else {
            throw ValidationError("no manifests given; name files or folders with -f PATH (or -f - for standard input)")
        }
        if prune && applyset == nil {
            throw ValidationError("--prune needs --applyset NAME: prune deletes only objects an apply set's inventory says it created")
        }
        if let applyset, !StringFormat.dnsSubdomain.accepts(applyset) {
            throw ValidationError("--applyset \"\(applyset)\": \(StringFormat.dnsSubdomain.expectation)")
        }
        guard maxDeletes >= 0 else { throw ValidationError("--max-deletes must be 0 or more") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 64") }
    }

    func run() async throws {
        let desired = try manifests.load(exitCode: 1)
        let session = try await Reconciliation(context: context, root: manifests.resolvedRoot, tool: "dpctl apply")
        let inventory = applyset.map { Inventory(name: $0, client: session.client) }
        let members: Set<ObjectRef>
        do {
            members = try await inventory?.load() ?? []
        } catch let error as APIError {
            throw CLIError(error.message)
        }
        var kinds = Set(desired.map(\.kind))
        if prune { kinds.formUnion(members.map(\.kind)) }
        let live = try await session.live(kinds)
        let contents = await session.contents(desired)
        let plan: Plan
        do {
            plan = try Planner().plan(desired: desired, live: live, contents: contents,
                                      prune: prune ? Planner.Prune(inventory: members, maxDeletes: maxDeletes) : nil)
        } catch {
            throw CLIError(error.description)
        }

        let results: [ApplyResult]
        if dryRun == .client {
            results = plan.items.map { item in
                let outcome: ApplyOutcome = switch item.action {
                case .create: .created
                case .update: .configured
                case .unchanged: .unchanged
                case .delete: .pruned
                case .refused: .refused
                }
                return ApplyResult(ref: item.ref, outcome: outcome, changes: item.changes, message: item.reason)
            }
        } else {
            let desiredRefs = Set(desired.map(\.ref))
            var stored = members
            // Recorded before any write, so that an interrupted apply still knows what it made.
            if let inventory, dryRun == .none, !desiredRefs.isSubset(of: members) {
                stored = members.union(desiredRefs)
                try await save(inventory, stored)
            }
            let applier = Applier(client: session.client, options: .init(
                serverDryRun: dryRun == .server, concurrency: concurrency, applySet: applyset, source: session.source, root: session.root))
            let progress = Progress(total: plan.changes.count, verb: dryRun == .server ? "checking" : "applying")
            results = await applier.apply(plan) { done, total in progress.update(done, total) }
            progress.finish()
            if let inventory, dryRun == .none {
                let pruned = Set(results.filter { $0.outcome == .pruned }.map(\.ref))
                // Members that are gone from the server and from the manifests are forgotten.
                let stale = members.subtracting(desiredRefs).filter { live[$0] == nil }
                let final = members.union(desiredRefs).subtracting(pruned).subtracting(stale)
                if final != stored { try await save(inventory, final) }
            }
        }
        print(results)
        let failures = results.filter { $0.outcome.isFailure }
        if !failures.isEmpty {
            if output == .text {
                Terminal.standardError.write("Error: \(failures.count) of \(results.count) object\(results.count == 1 ? "" : "s") not applied; what succeeded stays, fix the rest and apply again\n")
            }
            throw CommandExit(code: 1)
        }
    }

    func save(_ inventory: Inventory, _ members: Set<ObjectRef>) async throws {
        do {
            try await inventory.save(members)
        } catch let error as APIError {
            throw CLIError("cannot record apply set \"\(inventory.name)\": \(error.message)")
        }
    }

    func print(_ results: [ApplyResult]) {
        let suffix = switch dryRun {
        case .none: ""
        case .client: " (dry run)"
        case .server: " (server dry run)"
        }
        switch output {
        case .json:
            var counts: [JSONMember] = []
            for outcome in [ApplyOutcome.created, .configured, .unchanged, .pruned, .refused, .failed, .skipped] {
                counts.append(JSONMember(outcome.rawValue, .int(Int64(results.filter { $0.outcome == outcome }.count))))
            }
            var report = [JSONMember("dryRun", .string(dryRun.rawValue))]
            if let applyset { report.append(JSONMember("applyset", .string(applyset))) }
            report += [JSONMember("results", .array(results.map(\.json))), JSONMember("summary", .object(counts))]
            Terminal.standardOutput.write(JSONValue.object(report).jsonString(pretty: true) + "\n")
        case .text:
            let style = Style(enabled: Terminal.standardOutput.isColorful)
            var text = ""
            for result in results {
                let word = switch result.outcome {
                case .created, .configured: style.green(result.outcome.rawValue)
                case .pruned, .deleted: style.yellow(result.outcome.rawValue)
                case .unchanged: result.outcome.rawValue
                case .refused, .failed, .skipped: style.red(result.outcome.rawValue)
                }
                text += "\(result.ref) \(word)\(suffix)"
                if let message = result.message { text += ": " + message }
                text += "\n"
            }
            Terminal.standardOutput.write(text)
        }
    }
}
