import Foundation
import Testing

/// Bad input to the commands that talk to a server: refused before any request, saying why.
@Suite struct ClientCommandTests {
    static let cases: [(arguments: [String], status: Int32, mentions: String)] = [
        (["get", "pods"], 2, "unknown kind \"pods\""),
        (["get", "datsets"], 2, "did you mean \"datasets\""),
        (["get", "ds", "--dataset", "churn"], 2, "--dataset goes with datasetversions only"),
        (["get", "ds", "-l", "a b=c"], 2, "cannot read the label selector"),
        (["get", "ds", "-o", "xml"], 2, "xml"),
        (["get", "ds", "--context", "nowhere"], 1, "no context \"nowhere\""),
        (["config", "set-context", "x", "--server", "localhost:8080"], 2, "http:// or https://"),
        (["config", "set-context", "x", "--server", "http://a", "--token", "t", "--token-file", "f"], 2, "not both"),
        (["config", "set-context", "fresh"], 1, "needs --server"),
        (["config", "use-context", "nowhere"], 1, "no context \"nowhere\""),
        (["config", "current-context"], 1, "no current context"),
    ]

    @Test(arguments: cases)
    func refused(_ arguments: [String], _ status: Int32, _ mentions: String) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dpctl-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.yaml").path
        let result = try await dpctl(arguments, environment: ["DATAPILOT_CONFIG": config, "DATAPILOT_SERVER": "", "DATAPILOT_TOKEN": ""])
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(arguments): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: config), "a refused command writes no config")
    }
}
