import APIClient
import APIModel
import ArgumentParser
import CLIKit
import Foundation
import Manifests

/// `dpctl notifications log`: what the reconciler told each source's notification targets.
struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "Show the reconciler's notification deliveries (GitHub and GitLab statuses, webhooks, Slack).",
        subcommands: [Log.self])

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "List recent deliveries, newest first: event, commit, target, state, attempts and the last error.")

        @Option(help: "The reconciler's address (or DATAPILOT_RECONCILER).") var reconciler: String?
        @Option(name: [.customShort("o"), .long], help: "Output: table or json.") var output: Output = .table
        @Option(help: "At most this many deliveries (1-1000).") var limit = 50
        @Argument(help: "Only this source.") var source: String?

        enum Output: String, ExpressibleByArgument, CaseIterable {
            case table, json
        }

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, got \(limit)") }
        }

        func run() async throws {
            let address = reconciler ?? ProcessInfo.processInfo.environment["DATAPILOT_RECONCILER"] ?? "http://127.0.0.1:8090"
            let client = APIClient(server: address, token: nil)
            var query = [("limit", String(limit))]
            if let source { query.append(("source", source)) }
            let log: JSONValue
            do {
                log = try await client.send("GET", "/notifications?" + APIPath.query(query)).json
            } catch let error as APIError {
                throw CLIError(
                    error.code == .unreachable
                        ? "cannot reach the reconciler at \(address); is `dpctl reconcile` running? (--reconciler or DATAPILOT_RECONCILER)"
                        : error.message)
            }
            let deliveries = log["deliveries"]?.arrayValue ?? []
            switch output {
            case .json:
                Terminal.standardOutput.write(log.jsonString(pretty: true) + "\n")
            case .table:
                if deliveries.isEmpty {
                    print(source.map { "No deliveries for source \"\($0)\"." } ?? "No deliveries.")
                    return
                }
                let style = Style(enabled: Terminal.standardOutput.isColorful)
                let rows = deliveries.map { d -> [String] in
                    let state = d["state"]?.stringValue ?? "?"
                    let coloured = state == "delivered" ? style.green(state) : state == "failed" ? style.red(state) : state
                    let status = d["lastStatus"]?.numberValue.map { String(Int($0)) } ?? "-"
                    return [
                        GetCommand.age(d["updatedAt"]?.stringValue), d["source"]?.stringValue ?? "", d["event"]?.stringValue ?? "",
                        String((d["commit"]?.stringValue ?? "-").prefix(12)), d["target"]?.stringValue ?? "", coloured,
                        d["attempts"]?.numberValue.map { String(Int($0)) } ?? "0", status,
                        (d["lastError"]?.stringValue ?? "").split(separator: "\n").first.map(String.init) ?? "",
                    ]
                }
                let header = ["AGE", "SOURCE", "EVENT", "COMMIT", "TARGET", "STATE", "ATTEMPTS", "STATUS", "ERROR"]
                Terminal.standardOutput.write(Table(header: header, rows: rows).render(width: Terminal.standardOutput.width))
            }
        }
    }
}
