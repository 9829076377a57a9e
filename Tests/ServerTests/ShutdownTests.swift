import Blocking
import Foundation
import TestSupport
import Testing

@Suite struct ShutdownTests {
    /// SIGTERM while an upload is in flight: the upload completes, then the server exits 0.
    /// The upload reads from a FIFO, so it cannot finish before the test has sent SIGTERM and
    /// written the rest, however loaded the machine is.
    @Test func sigtermLetsInFlightRequestsFinish() async throws {
        try await withServer { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("slow"))
            let fifo = server.dataDirectory.appendingPathComponent("upload.fifo")
            #expect(mkfifo(fifo.path, 0o600) == 0)
            let output = server.dataDirectory.appendingPathComponent("curl.out")
            try Data().write(to: output)
            let errors = server.dataDirectory.appendingPathComponent("curl.err")
            try Data().write(to: errors)
            let curl = try Subprocess.start(
                "curl",
                [
                    "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", fifo.path, "-X", "POST",
                    "-H", "Authorization: Bearer \(TestServer.adminKey)",
                    "\(server.baseURL)/api/datasets/slow/versions/upload?name=slow-1",
                ],
                stdout: try FileHandle(forWritingTo: output), stderr: try FileHandle(forWritingTo: errors))

            let io = BlockingQueue(label: "datapilot.tests.fifo")
            let chunk = Data(repeating: 7, count: 4 << 20)
            let writer = try await io.run { () throws -> FileHandleBox in
                guard let handle = FileHandle(forWritingAtPath: fifo.path) else {
                    throw SetupError(.peerDidNotStart, "cannot open the FIFO")
                }
                try handle.write(contentsOf: chunk)
                return FileHandleBox(handle)
            }
            // In flight: the server spools the body (a file in <data-dir>/spool) before SIGTERM.
            let spooling = try await eventually(60) { !spoolFiles(in: server.dataDirectory).isEmpty }
            #expect(spooling, "the server is receiving the upload")
            #expect(curl.isRunning, "the upload waits for the rest of its body")
            kill(server.process.processIdentifier, SIGTERM)
            try await Task.sleep(for: .milliseconds(500))
            do {
                try await io.run {
                    try writer.handle.write(contentsOf: chunk)
                    try writer.handle.close()
                }
            } catch {
                // curl ended before the rest of its body (seen once in a loaded full run): say why.
                let said = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
                let code = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                let log = (try? String(contentsOf: server.logFile, encoding: .utf8)) ?? ""
                Issue.record(
                    "curl stopped reading its body after SIGTERM (\(error)): HTTP \(code), curl said \(said); server: \(log.suffix(3000))")
                return
            }

            let deadline = ContinuousClock.now + .seconds(60)
            while curl.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try String(contentsOf: output, encoding: .utf8) == "201", "the in-flight upload completed")
            while server.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!server.process.isRunning)
            #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
        }
    }
}

final class FileHandleBox: @unchecked Sendable {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }
}
