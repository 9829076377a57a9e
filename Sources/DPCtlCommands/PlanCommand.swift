import APIClient
import ArgumentParser
import CIReports
import CLIKit
import Foundation
import Manifests
import Review
import URLPolicy

/// `dpctl plan --repo PATH --base REF --head REF`: what merging a pull request would do.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what merging a pull request would do: the manifest change, the live changes, findings and quality checks.",
        discussion: """
            Reads the base and head commits straight from the repository (no checkout), validates \
            the head, and shows the objects added, changed, removed and renamed between them with \
            unified diffs. With --server it also plans the head against the live server exactly as \
            apply would (created, configured, unchanged, pruned, refused). It flags what a reviewer \
            must see: prunes, refused changes of immutable versions, objects another apply set \
            manages, and deletes over --max-deletes; and runs the quality rules of each new or \
            changed version's dataset on its data file (a version given by url is downloaded \
            first, if --external-url-allow allows its URL). With --server, each new or changed \
            QualityRule is also evaluated on its dataset's live version on the server (a dry run \
            that stores nothing): a failing check there means the merge would quarantine that \
            version. -o markdown makes a pull-request comment \
            (at most 60,000 characters, objects left out are counted). Exit status: 0 when nothing \
            would change, 1 when something would, 2 on an error or a blocking finding (invalid \
            head, refused object, deletes over the limit, failed fail-severity check).
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown, sarif, junit
    }

    @Option(help: "The git repository (a work tree or bare repository) holding both commits.") var repo: String
    @Option(help: "The pull request's base: a branch, tag or commit (e.g. origin/main).") var base: String
    @Option(help: "The pull request's head: a branch, tag or commit (e.g. HEAD).") var head: String
    @Option(help: "The folder in the repository holding the manifests.") var path = ""
    @Option(help: "Plan against this server too (the token comes from DATAPILOT_TOKEN or the context).") var server: String?
    @Option(help: "The apply set the merge is applied as (the reconciler's source name).") var applyset: String?
    @Flag(help: "With --applyset: plan the prunes the reconciler would make.") var prune = false
    @Option(help: "The reconciler's delete limit: more planned prunes is a blocking finding.") var maxDeletes = 10
    @Option(name: [.customShort("o"), .long], help: "Output: text, json, markdown, sarif or junit.") var output: Output = .text
    @Option(help: "Markdown size budget in characters (GitHub comments end at 65,536).") var markdownBudget = PlanMarkdown.defaultBudget
    @Option(help: "The context whose server and token to use (see dpctl config get-contexts).") var context: String?
    @Option(
        name: .customLong("external-url-allow"),
        help: "The URLs versions may be fetched from: the server's external-url-allow setting (default https://*, http://*).")
    var externalURLAllow: String?
    @Option(name: .customLong("url-max-bytes"), help: "The largest download of a version given by url, in bytes.") var urlMaxBytes: Int64 =
        1 << 30

    func validate() throws {
        if prune && applyset == nil { throw ValidationError("--prune needs --applyset NAME") }
        if let applyset, !StringFormat.dnsSubdomain.accepts(applyset) {
            throw ValidationError("--applyset \"\(applyset)\": \(StringFormat.dnsSubdomain.expectation)")
        }
        guard maxDeletes >= 0 else { throw ValidationError("--max-deletes must be 0 or more") }
        guard markdownBudget >= 2_000 else { throw ValidationError("--markdown-budget must be at least 2000") }
        if let externalURLAllow {
            do { _ = try ExternalURLPolicy(setting: externalURLAllow) } catch {
                throw ValidationError("--external-url-allow: \(error.description)")
            }
        }
        guard urlMaxBytes > 0 else { throw ValidationError("--url-max-bytes must be more than 0") }
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server \"\(server)\": give an http:// or https:// URL")
        }
    }

    func run() async throws {
        var client: APIClient?
        var address: String?
        if server != nil || context != nil {
            let target = try Target.resolve(context: context)
            address = server ?? target.server
            client = APIClient(server: address!, token: target.token)
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dpctl-plan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var request = PlanRequest(
            repository: repo, base: base, head: head, path: path, client: client, server: address,
            applySet: applyset, prune: prune, maxDeletes: maxDeletes, gate: QualityGates.standard, scratch: scratch)
        if let externalURLAllow { request.urlPolicy = try ExternalURLPolicy(setting: externalURLAllow) }
        request.maxURLBytes = urlMaxBytes
        let report: PlanReport
        do {
            report = try await PlanBuilder(request).build()
        } catch {
            throw CLIError(error.description, exitCode: 2)
        }
        switch output {
        case .json: Terminal.standardOutput.write(report.json.jsonString(pretty: true) + "\n")
        case .markdown: Terminal.standardOutput.write(PlanMarkdown(report, budget: markdownBudget).render())
        case .text: PlanText(report: report, style: Style(enabled: Terminal.standardOutput.isColorful)).write(to: Terminal.standardOutput)
        case .sarif:
            Terminal.standardOutput.write(SARIFLog(findings: report.ciFindings, tool: "dpctl", version: DPCtlVersion.string).text + "\n")
        case .junit: Terminal.standardOutput.write(JUnitReport(suiteName: "dpctl plan", cases: report.junitCases).text)
        }
        // Beside the text only: a document on standard output stays one document.
        if output == .text, ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            for line in GitHubAnnotations.lines(report.ciFindings) { Terminal.standardOutput.write(line + "\n") }
        }
        if !report.errors.isEmpty, output != .text {
            for error in report.errors {
                Terminal.standardError.write(
                    "\(error.file):\(error.line):\(error.column): error: \(error.path.isEmpty ? "" : error.path + ": ")\(error.message)\n")
            }
        }
        if report.exitCode != 0 { throw CLIError.exit(report.exitCode) }
    }
}
