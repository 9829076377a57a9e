import APIModel
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
        var sources = try await ReconcilerStatus.fetch(from: address).sources
        if let source {
            sources = sources.filter { $0.name == source }
            if sources.isEmpty { throw CLIError("no source \"\(source)\" in the reconciler's status") }
        }
        switch output {
        case .json:
            let value =
                source != nil
                ? ReconcilerStatus(sources: sources).json["sources"]?.arrayValue?.first : ReconcilerStatus(sources: sources).json
            Terminal.standardOutput.write((value ?? .null).jsonString(pretty: true) + "\n")
        case .table, .wide:
            if sources.isEmpty {
                print("No sources.")
                return
            }
            let style = Style(enabled: Terminal.standardOutput.isColorful)
            let wide = output == .wide
            let header =
                ["SOURCE", "RESULT", "HEALTH", "APPLIED", "ATTEMPTED", "CHANGES", "AGE"] + (wide ? ["OWNER", "URL", "ERROR"] : [])
            let rows = sources.map { s -> [String] in
                let result = s.result?.rawValue ?? "pending"
                let coloured = s.result == .synced ? style.green(result) : s.result == nil ? result : style.red(result)
                let counts = s.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                let health = s.health?.rawValue ?? "-"
                let healthColoured =
                    s.health == .healthy ? style.green(health) : s.health == .degraded ? style.red(health) : health
                return [
                    s.name, coloured, healthColoured, String((s.lastAppliedCommit ?? "-").prefix(12)),
                    String((s.lastAttemptedCommit ?? "-").prefix(12)),
                    counts.isEmpty ? "-" : counts, GetCommand.age(s.attemptedAt),
                ]
                    + (wide ? [s.owner ?? "-", s.url ?? "", (s.error ?? "").split(separator: "\n").first.map(String.init) ?? ""] : [])
            }
            Terminal.standardOutput.write(Table(header: header, rows: rows).render(width: Terminal.standardOutput.width))
            for s in sources where !wide {
                if let error = s.error, !error.isEmpty { Terminal.standardError.write("\(s.name): \(error)\n") }
                if s.health != .healthy, let message = s.healthMessage { Terminal.standardError.write("\(s.name): \(message)\n") }
            }
        }
    }
}
