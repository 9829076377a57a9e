import APIClient
import APIModel
import ArgumentParser
import CLIKit
import Foundation
import Manifests
import SyncEngine

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
            Run), creates and updates in batches of up to --batch-size objects per request (each batch \
            all or nothing on the server; an object it refuses is reported and the rest sent again), \
            up to --concurrency requests at a time; a rerun writes nothing when nothing changed. With \
            --applyset NAME the objects applied are recorded in that apply set's inventory on the \
            server, and --prune deletes the members no longer in the manifests (never from an empty \
            set, never objects annotated datapilot.io/protected=true, at most --max-deletes). \
            Fields listed in an object's datapilot.io/ignore-differences annotation (JSON pointers) \
            are neither compared nor overwritten. With --wait[=TIMEOUT] (5m by default) dpctl then \
            waits until the objects applied are no longer Progressing (dataset versions evaluated and \
            admitted or quarantined, runs that execute finished) and fails when any is Degraded. Exit \
            status: 0 on success, including no change; 1 when any object was refused, failed or \
            skipped, or (with --wait) is Degraded or still Progressing at the timeout; 2 for a usage error.
            """)

    @OptionGroup var manifests: ManifestArguments
    @Option(help: "none, client (plan only, nothing sent but reads) or server (the server validates every write and keeps nothing).")
    var dryRun: DryRun = .none
    @Option(help: "The apply set whose inventory records the objects applied.") var applyset: String?
    @Flag(help: "Delete the apply set's members that are no longer in the manifests (needs --applyset).") var prune = false
    @Option(help: "With --prune: refuse to delete more objects than this.") var maxDeletes = 10
    @Option(help: "Writes in flight at once.") var concurrency = 8
    @Option(help: "Most creates and updates sent in one request (POST /api/batch, one transaction each); 0 sends one per object.")
    var batchSize = Applier.Options.defaultBatchSize
    @Option(name: [.customShort("o"), .long], help: "Output format: text or json.") var output: OutputFormat = .text
    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?
    @Flag(help: "Then wait until the objects are healthy (--wait=TIMEOUT: at most that long; 5m by default).") var wait = false
    @Option(name: .customLong("wait-timeout"), help: .hidden) var waitTimeout: String?

    /// `--wait=30s` as ArgumentParser reads it: `--wait --wait-timeout 30s`.
    static func expandingWait(_ arguments: [String]) -> [String] {
        arguments.flatMap { argument in
            argument.hasPrefix("--wait=") ? ["--wait", "--wait-timeout", String(argument.dropFirst("--wait=".count))] : [argument]
        }
    }

    func validate() throws {
        if let waitTimeout {
            guard wait else { throw ValidationError("--wait-timeout goes with --wait; write --wait=\(waitTimeout)") }
            guard let seconds = DurationText.seconds(waitTimeout), seconds >= 1, seconds <= 86_400 else {
                throw ValidationError("--wait=\(waitTimeout): give a duration from 1s to 24h, such as 30s or 5m")
            }
        }
        if wait && dryRun != .none { throw ValidationError("--wait waits for applied objects; it does not go with --dry-run") }
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
        guard (0...BatchRequest.maxObjects).contains(batchSize) else {
            throw ValidationError("--batch-size must be between 0 and \(BatchRequest.maxObjects)")
        }
    }

    func run() async throws {
        let desired = try manifests.load(exitCode: 1)
        let session = try await Reconciliation(context: context, root: manifests.resolvedRoot, tool: "dpctl apply")
        var request = SyncRequest(
            manifests: desired, applySet: applyset, prune: prune, maxDeletes: maxDeletes,
            dryRun: DryRunMode(rawValue: dryRun.rawValue)!, concurrency: concurrency, source: session.source,
            root: session.root, content: LocalContent(root: session.root))
        request.batchSize = batchSize
        let progress = Progress(verb: dryRun == .server ? "checking" : "applying")
        let report: SyncReport
        do {
            report = try await Sync(client: session.client).run(request) { _, done, total in progress.update(done, total) }
        } catch {
            progress.finish()
            throw CLIError(error.description)
        }
        progress.finish()
        // JSON: one document, the health (with --wait) inside it.
        let waited = wait && output == .json && report.failures.isEmpty ? try await health(report.results, client: session.client) : nil
        print(report.results, health: waited)
        let failures = report.failures
        if !failures.isEmpty {
            if output == .text {
                let count = report.results.count
                Terminal.standardError.write(
                    "Error: \(failures.count) of \(count) object\(count == 1 ? "" : "s") not applied; what succeeded stays, fix the rest and apply again\n"
                )
            }
            throw CLIError.exit(1)
        }
        guard wait else { return }
        let settled: HealthReport?
        if let waited { settled = waited } else { settled = try await health(report.results, client: session.client) }
        guard let report = settled else { return }
        if output == .text { printHealth(report) }
        guard report.health == .healthy else {
            if output == .text {
                Terminal.standardError.write(
                    report.health == .degraded
                        ? "Error: \(report.summary); see dpctl get datasetversions and the evaluations\n"
                        : "Error: still Progressing after --wait's timeout: \(report.summary)\n")
            }
            throw CLIError.exit(1)
        }
    }

    /// `--wait`: the applied objects' health once they settle or the timeout passes; nil when nothing was applied.
    func health(_ results: [ApplyResult], client: APIClient) async throws -> HealthReport? {
        let applied = results.filter { [.created, .configured, .unchanged].contains($0.outcome) }.map(\.ref)
        guard !applied.isEmpty else { return nil }
        let waiter = HealthWait(client: client, objects: applied, timeout: try HealthWait.timeout(waitTimeout))
        let progress = Progress(verb: "waiting for")
        let report: HealthReport
        do {
            report = try await waiter.run { report in
                progress.update(report.counts[HealthState.healthy.rawValue] ?? 0, applied.count)
            }
        } catch let error as APIError {
            progress.finish()
            throw CLIError("cannot read the objects' health: \(error.message)")
        }
        progress.finish()
        return report
    }

    func printHealth(_ report: HealthReport) {
        let style = Style(enabled: Terminal.standardOutput.isColorful)
        for object in report.objects {
            let word = object.health == .degraded ? style.red(object.health.rawValue) : style.yellow(object.health.rawValue)
            Terminal.standardOutput.write("\(object.object) \(word): \(object.reason)\n")
        }
        let total = report.counts.values.reduce(0, +)
        Terminal.standardOutput.write("health: \(report.health.rawValue) (\(total) object\(total == 1 ? "" : "s"))\n")
    }

    func print(_ results: [ApplyResult], health: HealthReport? = nil) {
        let suffix =
            switch dryRun {
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
            if let health { report.append(JSONMember("health", health.json)) }
            Terminal.standardOutput.write(JSONValue.object(report).jsonString(pretty: true) + "\n")
        case .text:
            let style = Style(enabled: Terminal.standardOutput.isColorful)
            var text = ""
            for result in results {
                let word =
                    switch result.outcome {
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
