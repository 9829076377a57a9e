import APIClient
import APIModel
import ArgumentParser
import CLIKit
import Foundation
import Manifests

/// `dpctl admit VERSION --reason ...` and `dpctl quarantine VERSION --reason ...`: an admin
/// decides a dataset version's admission whatever its evaluations said. The audit log keeps who
/// and why; runs read Admitted versions (and Unchecked ones, whose dataset has no rules).
struct AdmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admit",
        abstract: "Admit a dataset version by hand (admin), so runs may read it; the audit log keeps your reason.")
    @OptionGroup var options: AdmissionOptions

    func run() async throws { try await options.send(.admitted) }
}

struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Quarantine a dataset version by hand (admin), so runs refuse it; the audit log keeps your reason.")
    @OptionGroup var options: AdmissionOptions

    func run() async throws { try await options.send(.quarantined) }
}

struct AdmissionOptions: ParsableArguments {
    @Argument(help: "The dataset version (its name, or datasetversion/NAME).") var version: String
    @Option(help: "Why (1 to 1000 bytes); recorded with your name.") var reason: String
    @Option(help: "The context to use (see dpctl config get-contexts).") var context: String?
    @Option(name: [.customShort("o"), .long], help: "Output: text or json.") var output: Output = .text

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    var name: String { version.hasPrefix("datasetversion/") ? String(version.dropFirst("datasetversion/".count)) : version }

    func validate() throws {
        guard StringFormat.dnsSubdomain.accepts(name) else {
            throw ValidationError("\"\(version)\" is not a dataset version name (a DNS subdomain such as churn-2026-10)")
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 1000 else { throw ValidationError("--reason must say why, in 1 to 1000 bytes") }
    }

    func send(_ state: AdmissionState) async throws {
        let target = try Target.resolve(context: context)
        let client = APIClient(server: target.server, token: target.token)
        let answer: JSONValue
        do {
            answer = try await client.send(
                "POST", "/api/datasetversions/\(APIPath.segment(name))/admission",
                json: ["state": .string(state.rawValue), "reason": .string(reason.trimmingCharacters(in: .whitespacesAndNewlines))]
            ).json
        } catch let error as APIError {
            let hint = error.status == 403 ? " (admitting and quarantining by hand takes the admin role)" : ""
            throw CLIError(
                error.code == .unreachable ? "cannot reach \(target.server); set --context or DATAPILOT_SERVER" : error.message + hint)
        }
        switch output {
        case .json: Terminal.standardOutput.write(answer.jsonString(pretty: true) + "\n")
        case .text: print("datasetversion/\(name) \(state == .admitted ? "admitted" : "quarantined") (\(reason))")
        }
    }
}
