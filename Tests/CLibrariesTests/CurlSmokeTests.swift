import Curl
import Foundation
import TestSupport
import Testing

/// A real HTTP server on loopback: Python's http.server over a temporary folder.
final class LocalHTTPServer {
    let folder: URL
    let peer: Peer
    var port: Int { peer.port }

    init(files: [String: String]) throws {
        folder = try scratchFolder("http")
        for (name, contents) in files { try Data(contents.utf8).write(to: folder.appendingPathComponent(name)) }
        peer = try Peer.python(
            "python3 http.server",
            """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """, [folder.path])
    }

    deinit {
        peer.stop()
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
