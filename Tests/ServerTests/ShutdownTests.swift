import Foundation
import Testing

@Suite struct ShutdownTests {
    /// SIGTERM while an upload is in flight: the upload completes, then the server exits 0.
    @Test func sigtermLetsInFlightRequestsFinish() async throws {
        try await withServer { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("slow"))
            let file = server.dataDirectory.appendingPathComponent("slow.bin")
            try Data(repeating: 7, count: 12 << 20).write(to: file)
            let output = server.dataDirectory.appendingPathComponent("curl.out")
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--limit-rate", "4M", "-T", file.path, "-X", "POST",
                              "-H", "Authorization: Bearer \(TestServer.adminKey)",
                              "\(server.baseURL)/api/datasets/slow/versions/upload?name=slow-1"]
            try Data().write(to: output)
            curl.standardOutput = try FileHandle(forWritingTo: output)
            try curl.run()
            try await Task.sleep(for: .seconds(1))
            #expect(curl.isRunning, "the upload is still in flight when SIGTERM arrives")
            kill(server.process.processIdentifier, SIGTERM)

            let deadline = ContinuousClock.now + .seconds(30)
            while curl.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try String(contentsOf: output, encoding: .utf8) == "201", "the in-flight upload completed")
            while server.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!server.process.isRunning)
            #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
        }
    }
}
