import APIClient
import ArgumentParser
import CLIKit
import Crypto
import Evidence
import EvidenceVerification
import Foundation
import Manifests

/// `dpctl evidence verify FILE`: checks an evidence bundle against the server that made it.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Check evidence bundles of runs.", subcommands: [EvidenceVerify.self])
}

struct EvidenceVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an evidence bundle: signatures, subjects re-hashed against the registry, and the audit anchor.",
        discussion: """
            The signatures are checked against a pinned key: --key FILE, the server's evidence keys saved \
            out of band (curl https://SERVER/.well-known/datapilot/evidence-keys > evidence-keys.json), so a \
            server cannot vouch for bundles it forged itself. --trust-server-key fetches the keys from the \
            server being checked instead, and says so. Exit status 0 when every check holds, 1 when one \
            fails, 2 when the bundle or the key file cannot be read or the server reached.
            """)

    @Argument(help: "The bundle file (from GET /api/experiment-runs/{run}/evidence-bundles/{id}).") var file: String
    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?
    @OptionGroup var keys: PinnedKeys
    @Option(name: [.customShort("o"), .long], help: "Output: text or json.") var output: Output = .text

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)", exitCode: 2) }
        let bundle: EvidenceBundle
        do { bundle = try EvidenceBundle(bytes: Array(data)) } catch { throw CLIError("\(file): \(error)", exitCode: 2) }
        let target = try Target.resolve(context: context)
        let client = APIClient(server: target.server, token: target.token)
        let pinned = try keys.pinned()
        let verifier = BundleVerifier(client: client, bundle: bundle, pinnedKeys: pinned)
        let checks: [BundleVerifier.Check]
        do { checks = try await verifier.run() } catch let error as APIError {
            throw CLIError(
                error.code == .unreachable
                    ? "cannot reach \(target.server) to verify against; set --context or DATAPILOT_SERVER" : error.message, exitCode: 2)
        }
        let failed = checks.filter { !$0.passed }
        switch output {
        case .json:
            let value: JSONValue = [
                "bundle": .string(bundle.id), "run": .string(bundle.run), "verified": .bool(failed.isEmpty),
                "checks": .array(checks.map { ["check": .string($0.name), "passed": .bool($0.passed), "detail": .string($0.detail)] }),
            ]
            Terminal.standardOutput.write(value.jsonString(pretty: true) + "\n")
        case .text:
            let style = Style(enabled: Terminal.standardOutput.isColorful)
            let rows = checks.map { [$0.passed ? style.green("ok") : style.red("FAILED"), $0.name, $0.detail] }
            Terminal.standardOutput.write(
                Table(header: ["RESULT", "CHECK", "DETAIL"], rows: rows).render(width: Terminal.standardOutput.width))
            Terminal.standardOutput.write(
                failed.isEmpty
                    ? "Evidence bundle \(bundle.id) of run \(bundle.run) verified: \(checks.count) checks passed.\n"
                    : "Evidence bundle \(bundle.id) did NOT verify: \(failed.count) of \(checks.count) checks failed.\n")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}
