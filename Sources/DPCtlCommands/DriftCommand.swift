import APIClient
import ArgumentParser
import CLIKit
import Foundation
import Manifests
import Review
import SyncEngine

/// `dpctl drift`: compare the live state with a desired state, on demand.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Report objects whose live state drifted from git: changed, deleted or created out of band.",
        discussion: """
            The desired state is a folder of manifests (-f), a commit of a repository (--repo, \
            --ref, --path), or the commit a reconciler source applied last (--source NAME, read from \
            the reconciler's status). Each drifted object is listed with its drifted fields (desired \
            and live values) and who changed it last, from the audit log. An object's \
            datapilot.io/drift annotation chooses report (the default), heal or ignore; --heal applies \
            the desired state again to the objects whose mode is heal. -o html writes a \
            self-contained page. Exit status: 0 no drift (or all healed), 1 drift, 2 an error.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown, html
    }

    @OptionGroup var manifests: ManifestArguments
    @Option(help: "A git repository (a local path or a URL) holding the desired state.") var repo: String?
    @Option(help: "With --repo: the branch, tag or commit (a full ref for URLs; default HEAD, or refs/heads/main).") var ref: String?
    @Option(help: "With --repo: the folder of the manifests in the repository.") var path = ""
    @Option(help: "A reconciler source: its last applied commit is the desired state.") var source: String?
    @Option(help: "The reconciler's address for --source (or DATAPILOT_RECONCILER).") var reconciler: String?
    @Option(help: "The apply set whose inventory says what was applied (default: the source's name).") var applyset: String?
    @Option(help: "The mode of objects without a datapilot.io/drift annotation: report, heal or ignore.") var mode = "report"
    @Flag(help: "Apply the desired state again to drifted objects whose mode is heal.") var heal = false
    @Option(
        name: .customLong("exclude-tool"), help: "Also skip this tool's audit events when looking for who changed an object. Repeatable.")
    var excludeTools: [String] = []
    @Option(name: [.customShort("o"), .long], help: "Output: text, json, markdown or html.") var output: Output = .text
    @Option(help: "The context whose server and token to use (see dpctl config get-contexts).") var context: String?

    func validate() throws {
        let given = [!manifests.filenames.isEmpty, repo != nil, source != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError(
                "give the desired state once: -f PATH (manifests), --repo URL|PATH (a commit) or --source NAME (a reconciler source)")
        }
        guard DriftMode(rawValue: mode) != nil else { throw ValidationError("--mode \"\(mode)\" is not one of report, heal, ignore") }
        if let applyset, !StringFormat.dnsSubdomain.accepts(applyset) {
            throw ValidationError("--applyset \"\(applyset)\": \(StringFormat.dnsSubdomain.expectation)")
        }
    }

    func run() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dpctl-drift-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let desired: DriftDesired
        if let source {
            let address = reconciler ?? ProcessInfo.processInfo.environment["DATAPILOT_RECONCILER"] ?? "http://127.0.0.1:8090"
            desired = try await DriftDesired.source(source, reconciler: address, scratch: scratch)
        } else if let repo {
            desired = try await DriftDesired.git(repo: repo, revision: ref, path: path, scratch: scratch, applySet: nil)
        } else {
            desired = try DriftDesired.directory(manifests)
        }
        let target: Target
        do { target = try Target.resolve(context: context) } catch let error as CLIError { throw CLIError(error.description, exitCode: 2) }
        let client = APIClient(server: target.server, token: target.token)
        let applySet = applyset ?? desired.applySet
        let request = DriftRequest(
            manifests: desired.manifests, applySet: applySet, defaultMode: DriftMode(rawValue: mode)!, heal: heal,
            source: await Reconciliation.sourceInfo(root: desired.repository ?? manifests.resolvedRoot, tool: "dpctl drift"),
            scope: applySet.map { desired.scope.hasPrefix("source") ? desired.scope : desired.scope + ", apply set " + $0 }
                ?? desired.scope,
            content: desired.content, appliers: DriftRequest.standardAppliers + excludeTools)
        var report: DriftReport
        do {
            report = try await DriftScan(client: client).run(request)
        } catch {
            throw CLIError("cannot compare with \(target.server): \(error.description)", exitCode: 2)
        }
        if report.commit == nil { report.commit = desired.commit }
        switch output {
        case .json: Terminal.standardOutput.write(report.json.jsonString(pretty: true) + "\n")
        case .markdown: Terminal.standardOutput.write(DriftMarkdown(report).render())
        case .html: Terminal.standardOutput.write(DriftHTML(report).render())
        case .text: DriftText(report: report, style: Style(enabled: Terminal.standardOutput.isColorful)).write(to: Terminal.standardOutput)
        }
        if !report.outstanding.isEmpty { throw CLIError.exit(1) }
    }
}
