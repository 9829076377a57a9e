import Curl
import Foundation
import Testing

/// A real HTTP server on loopback: Python's http.server over a temporary folder.
final class LocalHTTPServer {
    let process = Process()
    let folder: URL
    let port: Int

    init(files: [String: String]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, contents) in files { try Data(contents.utf8).write(to: folder.appendingPathComponent(name)) }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """, folder.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw SetupError("python3 http.server did not start")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child spawned from a dispatch worker thread inherits its blocked signals,
        // SIGTERM among them, so terminate() may never land.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

@Suite struct CurlSmokeTests {
    @Test func getsAFileFromALocalServer() throws {
        let server = try LocalHTTPServer(files: ["hello.txt": "hello, datapilot\n"])
        let response = try Transfer().get("http://127.0.0.1:\(server.port)/hello.txt")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello, datapilot\n")
        #expect(response.header("Content-Length") == "17")

        let missing = try Transfer().get("http://127.0.0.1:\(server.port)/nope.txt")
        #expect(missing.status == 404)
    }

    @Test func aClosedPortIsAConnectionError() throws {
        let error = try #require(throws: CurlError.self) { try Transfer().get("http://127.0.0.1:1/", timeoutSeconds: 5) }
        #expect(error.code == .couldNotConnect)
        #expect(error.description.hasPrefix("http://127.0.0.1:1/"))
    }
}
