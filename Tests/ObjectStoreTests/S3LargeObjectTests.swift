import Foundation
import TestSupport
import Testing

@testable import ObjectStore

/// A minimal S3 stand-in that never keeps bodies: a PUT is read in 1 MiB chunks, hashed and
/// checked against `x-amz-content-sha256` (as S3 does), then only its size is kept; a GET
/// streams that many zero bytes back. Signatures are not checked (moto covers that), so a
/// 1 GiB round trip costs no server memory and no server disk.
final class StreamingS3Stub {
    let peer: Peer
    var port: Int { peer.port }

    static let script = #"""
        import hashlib, http.server, sys
        sizes = {}
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def reply(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
            def do_HEAD(self):
                if self.path not in sizes:
                    return self.reply(404)
                self.send_response(200)
                self.send_header("Content-Length", str(sizes[self.path]))
                self.end_headers()
            def do_PUT(self):
                remaining = int(self.headers["Content-Length"])
                digest, size = hashlib.sha256(), 0
                while remaining:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    digest.update(chunk)
                    size += len(chunk)
                    remaining -= len(chunk)
                if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
                    return self.reply(403, b"<Error><Code>AccessDenied</Code><Message>unsigned</Message></Error>")
                if digest.hexdigest() != self.headers.get("x-amz-content-sha256"):
                    return self.reply(400, b"<Error><Code>XAmzContentSHA256Mismatch</Code><Message>mismatch</Message></Error>")
                sizes[self.path] = size
                self.reply(200)
            def do_GET(self):
                if self.path not in sizes:
                    return self.reply(404, b"<Error><Code>NoSuchKey</Code><Message>no</Message></Error>")
                self.send_response(200)
                self.send_header("Content-Length", str(sizes[self.path]))
                self.end_headers()
                zeros, remaining = bytes(1 << 20), sizes[self.path]
                while remaining:
                    n = min(remaining, len(zeros))
                    self.wfile.write(zeros[:n])
                    remaining -= n
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        import threading
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()
        """#

    init() throws {
        peer = try Peer.python("the python3 S3 stub", Self.script)
    }
}

@Suite struct S3LargeObjectTests {
    /// Peak resident memory of this process so far, in bytes.
    static func peakResidentBytes() -> Int64 {
        var usage = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            return Int64(usage.ru_maxrss) * 1024  // kilobytes on Linux
        #else
            getrusage(RUSAGE_SELF, &usage)
            return Int64(usage.ru_maxrss)  // bytes on macOS
        #endif
    }

    /// 1 GiB up and down through a single PUT and GET: the process's peak memory must not
    /// grow by anything near the object's size (bench/ measures the figure itself).
    @Test func oneGiBStreamsInConstantMemory() async throws {
        let stub = try StreamingS3Stub()
        let folder = try TemporaryFolder()
        let length: Int64 = 1 << 30
        // Sparse: a gigabyte of zeros that costs no disk until it is downloaded.
        try writeFile(folder.path("big"), Data())
        let handle = try FileHandle(forWritingTo: folder.url.appendingPathComponent("big"))
        try handle.truncate(atOffset: UInt64(length))
        try handle.close()

        let store = try S3ObjectStore(
            .init(
                endpoint: "http://127.0.0.1:\(stub.port)", bucket: "big-objects",
                accessKeyId: "AKIDLARGEOBJECTS", secretAccessKey: "large-object-secret"))
        let before = Self.peakResidentBytes()
        try await store.put(file: folder.path("big"), key: "sha256/49/big", contentType: "application/octet-stream")
        #expect(try await store.size(key: "sha256/49/big") == length, "the stub received and verified every byte")
        try await store.get(key: "sha256/49/big", range: nil, to: folder.path("copy"))
        let growth = Self.peakResidentBytes() - before

        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path("copy"))
        #expect((attributes[.size] as? NSNumber)?.int64Value == length)
        #expect(try SigV4.sha256Hex(fileAt: folder.path("copy")) == SigV4.sha256Hex(fileAt: folder.path("big")))
        // The peak is the whole test process's, where hundreds of other tests run at the same time
        // (one full run saw 238 MiB of growth from them): half the object's size still tells a
        // stream from an object held in memory, which grows the peak by at least 1 GiB.
        #expect(growth < 512 << 20, "peak memory grew by \(growth >> 20) MiB for a 1 GiB object")
    }
}
