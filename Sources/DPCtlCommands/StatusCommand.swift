import APIClient
import ArgumentParser
import CLIKit
import Foundation
import Manifests

/// `dpctl status`: what the reconciler did with each source.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each git source's last sync: commit, result, counts and errors.")

    @Option(help: "The reconciler's address (or DATAPILOT_RECONCILER).") var reconciler: String?
    @Option(name: [.customShort("o"), .long], help: "Output: table, wide or json.") var output: Output = .table
    @Argument(help: "Only this source.") var source: String?

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case table, wide, json
    }

    func run() async throws {
        let address = reconciler ?? ProcessInfo.processInfo.environment["DATAPILOT_RECONCILER"] ?? "http://127.0.0.1:8090"
        let client = APIClient(server: address, token: nil)
        var status: JSONValue
        do {
            status = try await client.send("GET", "/status").json
        } catch let error as APIError {
            throw CLIError(
                error.code == .unreachable
                    ? "cannot reach the reconciler at \(address); is `dpctl reconcile` running? (--reconciler or DATAPILOT_RECONCILER)"
                    : error.message)
        }
        var sources = status["sources"]?.arrayValue ?? []
        if let source {
            sources = sources.filter { $0["name"]?.stringValue == source }
            if sources.isEmpty { throw CLIError("no source \"\(source)\" in the reconciler's status") }
        }
        switch output {
        case .json:
            let value = source != nil ? sources[0] : JSONValue.object([JSONMember("sources", .array(sources))])
            Terminal.standardOutput.write(value.jsonString(pretty: true) + "\n")
        case .table, .wide:
            if sources.isEmpty {
                print("No sources.")
                return
            }
            let style = Style(enabled: Terminal.standardOutput.isColorful)
            let wide = output == .wide
            let header = ["SOURCE", "RESULT", "APPLIED", "ATTEMPTED", "CHANGES", "AGE"] + (wide ? ["OWNER", "URL", "ERROR"] : [])
            let rows = sources.map { s -> [String] in
                let result = s["result"]?.stringValue ?? "pending"
                let coloured = result == "synced" ? style.green(result) : result == "pending" ? result : style.red(result)
                let counts = (s["counts"]?.objectValue ?? []).map { "\($0.key)=\($0.value.numberValue.map { String(Int($0)) } ?? "?")" }
                    .joined(separator: ",")
                return [
                    s["name"]?.stringValue ?? "", coloured, String((s["lastAppliedCommit"]?.stringValue ?? "-").prefix(12)),
                    String((s["lastAttemptedCommit"]?.stringValue ?? "-").prefix(12)), counts.isEmpty ? "-" : counts,
                    GetCommand.age(s["attemptedAt"]?.stringValue),
                ]
                    + (wide
                        ? [
                            s["owner"]?.stringValue ?? "-", s["url"]?.stringValue ?? "",
                            (s["error"]?.stringValue ?? "").split(separator: "\n").first.map(String.init) ?? "",
                        ] : [])
            }
            Terminal.standardOutput.write(Table(header: header, rows: rows).render(width: Terminal.standardOutput.width))
            for s in sources where !wide {
                if let error = s["error"]?.stringValue, !error.isEmpty {
                    Terminal.standardError.write("\(s["name"]?.stringValue ?? ""): \(error)\n")
                }
            }
        }
    }
}
