import Crypto
import Curl
import Foundation
import Manifests
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Downloads of stored objects (dataset versions, run artifacts): byte ranges, HEAD, If-Range,
/// the file sent by the kernel in bounded server memory, and several answers on one connection.
@Suite struct DownloadTests {
    /// 1000 bytes, each position recognisable: `String(body[a...b])` is what a range must hold.
    static let body = (0..<100).map { String(format: "line %04d\n", $0) }.joined()
    static let path = "/api/datasets/ranges/versions/ranges-1/download"

    func upload(_ server: TestServer) async throws -> String {
        #expect(try await server.request("POST", "/api/datasets", json: dataset("ranges")).status == 201)
        let created = try await server.request(
            "POST", "/api/datasets/ranges/versions/upload?name=ranges-1", body: .bytes(Array(Self.body.utf8)),
            headers: [("Content-Type", "text/plain")])
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json["status"]?["sha256"]?.stringValue)
    }

    /// `Range` header, status, the bytes served (inclusive, nil for the whole body / none), label.
    static let ranges: [(range: String, status: Int, served: ClosedRange<Int>?, label: String)] = [
        ("bytes=0-9", 206, 0...9, "the first ten bytes"),
        ("bytes=0-0", 206, 0...0, "the first byte"),
        ("bytes=990-", 206, 990...999, "open-ended"),
        ("bytes=-10", 206, 990...999, "a suffix"),
        ("bytes=-5000", 206, 0...999, "a suffix longer than the body"),
        ("bytes=995-5000", 206, 995...999, "an end past the end is cut to it"),
        ("bytes=500-509", 206, 500...509, "the middle"),
        ("bytes=1000-", 416, nil, "starting at the end"),
        ("bytes=5000-6000", 416, nil, "starting past the end"),
        ("bytes=-0", 416, nil, "an empty suffix"),
        ("bytes=0-1,5-6", 200, nil, "several ranges: the whole body"),
        ("items=0-5", 200, nil, "another unit: the whole body"),
        ("bytes=9-2", 200, nil, "an end before the start: ignored"),
        ("bytes=abc", 200, nil, "not a range: ignored"),
    ]

    @Test(arguments: ServerMode.allCases)
    func rangesOfAStoredVersion(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            let sha256 = try await upload(server)
            let bytes = Array(Self.body.utf8)
            for range in Self.ranges {
                let response = try await server.request("GET", Self.path, headers: [("Range", range.range)])
                #expect(response.status == range.status, "\(range.label) (\(range.range)): \(response.status) \(response.text.prefix(200))")
                switch range.status {
                case 206:
                    let served = try #require(range.served)
                    #expect(response.body == Array(bytes[served]), "\(range.label)")
                    #expect(response.header("Content-Range") == "bytes \(served.lowerBound)-\(served.upperBound)/1000", "\(range.label)")
                    #expect(response.header("Content-Length") == String(served.count), "\(range.label)")
                case 416:
                    #expect(response.header("Content-Range") == "bytes */1000", "\(range.label)")
                    #expect(response.json["detail"]?.stringValue?.contains("outside the 1000 bytes") == true, "\(range.label)")
                default:
                    #expect(response.body == bytes, "\(range.label)")
                    #expect(response.header("Content-Range") == nil, "\(range.label)")
                }
                if range.status != 416 {
                    #expect(response.header("ETag") == "\"\(sha256)\"", "\(range.label)")
                    #expect(response.header("Content-Type") == "text/plain", "\(range.label)")
                    #expect(response.header("Accept-Ranges") == "bytes", "\(range.label)")
                    #expect(response.header("Content-Disposition") == "attachment; filename=\"ranges-1\"", "\(range.label)")
                }
            }
        }
    }

    @Test func ifRangeServesTheRangeOnlyForTheCurrentETag() async throws {
        try await withServer { server in
            let sha256 = try await upload(server)
            let cases: [(ifRange: String, status: Int, label: String)] = [
                ("\"\(sha256)\"", 206, "the version's ETag"),
                ("\"\(String(repeating: "0", count: 64))\"", 200, "another ETag"),
                ("W/\"\(sha256)\"", 200, "a weak ETag (If-Range compares strongly)"),
                ("Mon, 30 Nov 2026 10:00:00 GMT", 200, "a date"),
            ]
            for check in cases {
                let response = try await server.request("GET", Self.path, headers: [("Range", "bytes=0-9"), ("If-Range", check.ifRange)])
                #expect(response.status == check.status, "\(check.label)")
                #expect(response.body.count == (check.status == 206 ? 10 : 1000), "\(check.label)")
            }
        }
    }

    @Test(arguments: ServerMode.allCases)
    func headAnswersTheHeadersWithoutTheBody(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            let sha256 = try await upload(server)
            let whole = try await server.request("HEAD", Self.path)
            #expect(whole.status == 200)
            #expect(whole.body.isEmpty)
            #expect(whole.header("Content-Length") == "1000")
            #expect(whole.header("ETag") == "\"\(sha256)\"")
            #expect(whole.header("Accept-Ranges") == "bytes")
            #expect(whole.header("Content-Type") == "text/plain")
            let part = try await server.request("HEAD", Self.path, headers: [("Range", "bytes=10-19")])
            #expect(part.status == 206)
            #expect(part.header("Content-Length") == "10")
            #expect(part.header("Content-Range") == "bytes 10-19/1000")
            #expect(try await server.request("HEAD", Self.path, headers: [("Range", "bytes=2000-")]).status == 416)
            #expect(try await server.request("HEAD", "/api/datasets/ranges/versions/nope/download").status == 404)
            #expect(try await server.request("HEAD", Self.path, key: nil).status == 401)
            // The gateway (split mode) keeps no spool file of an answer without a body.
            let left = spoolFiles(in: server.dataDirectory).filter { $0.contains("/proxy-") }
            #expect(left == [], "spool files left behind")
        }
    }

    @Test func artifactsTakeRangesAndHead() async throws {
        try await withServer { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            #expect(
                try await server.request("POST", "/api/experiments", json: experiment("churn-model", datasets: ["churn"])).status == 201)
            #expect(try await server.request("POST", "/api/experiments/churn-model/runs", json: #"{"name": "a1"}"#).status == 201)
            let put = try await server.request(
                "PUT", "/api/experiment-runs/a1/artifacts/model.txt", body: .bytes(Array(Self.body.utf8)),
                headers: [("Content-Type", "text/plain")])
            #expect(put.status == 201, "\(put.text)")
            let path = "/api/experiment-runs/a1/artifacts/model.txt"
            let whole = try await server.request("GET", path)
            #expect(whole.status == 200)
            #expect(whole.text == Self.body)
            #expect(whole.header("Content-Disposition") == "attachment; filename=\"model.txt\"")
            #expect(whole.header("ETag") == "\"\(put.json["sha256"]?.stringValue ?? "?")\"")
            let part = try await server.request("GET", path, headers: [("Range", "bytes=-10")])
            #expect(part.status == 206)
            #expect(part.text == String(Self.body.suffix(10)))
            #expect(try await server.request("GET", path, headers: [("Range", "bytes=1000-")]).status == 416)
            let head = try await server.request("HEAD", path)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == "1000")
        }
    }

    /// Three answers on one kept-alive connection, written back to back: each file ends where its
    /// Content-Length says and the next answer follows it intact.
    @Test func answersFollowEachOtherOnOneConnection() async throws {
        try await withServer { server in
            _ = try await upload(server)
            let socket = try LoopbackSocket(port: server.port)
            let auth = "Authorization: Bearer \(TestServer.adminKey)\r\n"
            let requests = [
                "GET \(Self.path) HTTP/1.1\r\nHost: x\r\n\(auth)Range: bytes=0-9\r\n\r\n",
                "GET \(Self.path) HTTP/1.1\r\nHost: x\r\n\(auth)\r\n",
                "GET \(Self.path) HTTP/1.1\r\nHost: x\r\n\(auth)Range: bytes=-5\r\n\r\n",
            ]
            #expect(socket.send(requests.joined()))
            let received = socket.receive(within: 30) { $0.components(separatedBy: "HTTP/1.1 ").count == 4 && $0.hasSuffix("0099\n") }
            let answers = received.components(separatedBy: "HTTP/1.1 ").dropFirst()
            #expect(answers.count == 3, "\(received.prefix(3000))")
            let bodies = answers.map { $0.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
            #expect(bodies == [String(Self.body.prefix(10)), Self.body, String(Self.body.suffix(5))], "\(received.prefix(3000))")
            #expect(answers.map { $0.prefix(3) } == ["206", "200", "206"])
        }
    }

    /// A large version goes out whole and byte for byte, a range across chunk boundaries too,
    /// while the server's resident memory hardly grows (its peak is reset before the downloads).
    @Test func aLargeVersionStreamsInBoundedMemory() async throws {
        try await withServer { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("big"))
            let file = server.dataDirectory.appendingPathComponent("big.bin")
            let size = 256 << 20
            #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
            let handle = try FileHandle(forWritingTo: file)
            var block = [UInt8](repeating: 0, count: 1 << 20)
            var digest = SHA256()
            for i in 0..<(size >> 20) {
                for j in stride(from: 0, to: block.count, by: 512) { block[j] = UInt8(truncatingIfNeeded: i &* 31 &+ j / 512) }
                digest.update(data: block)
                try handle.write(contentsOf: block)
            }
            try handle.close()
            let sha256 = digest.finalize().map { String(format: "%02x", $0) }.joined()
            let upload = try await server.request("POST", "/api/datasets/big/versions/upload?name=big-1", body: .file(file.path))
            #expect(upload.status == 201, "\(upload.text)")

            // Only the downloads count from here: VmHWM is reset to the current resident size.
            try "5".write(toFile: "/proc/\(server.process.processIdentifier)/clear_refs", atomically: false, encoding: .utf8)
            let resident = server.peakMemory
            let downloaded = server.dataDirectory.appendingPathComponent("down.bin")
            let whole = try await server.request("GET", "/api/datasets/big/versions/big-1/download", into: .file(downloaded.path))
            #expect(whole.status == 200)
            #expect(whole.header("ETag") == "\"\(sha256)\"")
            // Read back in pieces: mapping 256 MiB would grow this process's resident memory, which
            // other suites in the same process measure (S3LargeObjectTests).
            let received = try Self.sha256(ofFileAt: downloaded.path)
            #expect(received.size == size)
            #expect(received.hex == sha256, "the body is the version, byte for byte")

            let (start, end) = (1_000_000, 5_300_000)  // across several 256 KiB regions, at no boundary
            let part = try await server.request(
                "GET", "/api/datasets/big/versions/big-1/download", headers: [("Range", "bytes=\(start)-\(end)")],
                into: .file(downloaded.path))
            #expect(part.status == 206)
            let partBytes = try Data(contentsOf: downloaded)
            let original = try FileHandle(forReadingFrom: file)
            defer { try? original.close() }
            try original.seek(toOffset: UInt64(start))
            #expect(partBytes == (try original.read(upToCount: end - start + 1)))
            let growth = server.peakMemory - resident
            #expect(growth < 32 << 20, "the server's resident memory grew by \(growth >> 20) MiB sending \(size >> 20) MiB")
        }
    }

    /// A client that reads steadily but slower than the server sends, for longer than the body
    /// timeout, gets all of it: the slow-read clock runs only while the client takes nothing.
    @Test func aSlowButSteadyReaderIsNotCut() async throws {
        let timeouts = ["DATAPILOT_BODY_TIMEOUT_SECONDS": "8", "DATAPILOT_IDLE_TIMEOUT_SECONDS": "8"]
        try await withServer(environment: timeouts) { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("slow"))
            let size = 24 << 20
            let upload = try await server.request(
                "POST", "/api/datasets/slow/versions/upload?name=slow-1", body: .bytes([UInt8](repeating: UInt8(ascii: "s"), count: size)))
            #expect(upload.status == 201, "\(upload.text)")
            let socket = try LoopbackSocket(port: server.port)
            #expect(
                socket.send(
                    "GET /api/datasets/slow/versions/slow-1/download HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.adminKey)\r\n\r\n"
                ))
            // 128 KiB every 50 ms: about 2.6 MB/s at most, so the 24 MiB take longer than the body
            // timeout; the server hears of room only once a third of its socket buffer is free, so
            // the reader must take more than that (a few MiB) within the timeout even on a loaded
            // machine. It reads on a thread of its own, at once: not on the cooperative pool, and not
            // through the harness's gate, either of which other tests may keep busy for longer than
            // the timeout (the server then rightly cut a reader that had not started).
            let (received, elapsed) = await withCheckedContinuation { (done: CheckedContinuation<(Int, Duration), Never>) in
                Thread {
                    var received = 0
                    var buffer = [UInt8](repeating: 0, count: 128 << 10)
                    let started = ContinuousClock.now
                    while received < size + 100, ContinuousClock.now - started < .seconds(120) {
                        let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
                        if count < 0, errno == EINTR { continue }
                        guard count > 0 else { break }
                        received += count
                        usleep(50_000)
                    }
                    done.resume(returning: (received, ContinuousClock.now - started))
                }.start()
            }
            #expect(
                received >= size + 100,
                "\(received) bytes of \(size) (and the head) arrived in \(elapsed) before the server closed; its log: \((try? String(contentsOf: server.logFile, encoding: .utf8))?.suffix(3000) ?? "")"
            )
            #expect(elapsed > .seconds(8), "the download was not slower than the body timeout (\(elapsed)): the test proves nothing")
        }
    }
}

extension DownloadTests {
    /// A file's SHA-256 (hex) and size, read 1 MiB at a time.
    static func sha256(ofFileAt path: String) throws -> (hex: String, size: Int) {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var digest = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            digest.update(data: chunk)
            size += chunk.count
        }
        return (digest.finalize().map { String(format: "%02x", $0) }.joined(), size)
    }
}
