import Crypto
import Curl
import Foundation
import Manifests
import TestSupport
import Testing

/// The server's data folder (upload spool and file object store) on a small tmpfs the test
/// mounts (the tests run as root), filled up: uploads are refused with a 507 problem naming
/// the cause and store nothing, reads go on being served (and the pod stays ready), and once
/// space is freed the same upload succeeds.
@Suite(.timeLimit(.minutes(3))) struct DiskFullFaultTests {
    @Test func aFullDataFolderRefusesUploadsWith507AndRecovers() async throws {
        let folder = try scratchFolder("full-data")
        try await Subprocess.check("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0755", "datapilot-fault", folder.path])
        defer {
            _ = try? Subprocess.run("umount", ["-l", folder.path])
            try? FileManager.default.removeItem(at: folder)
        }
        let server = try await TestServer(dataDirectory: folder)
        do {
            #expect(try await server.request("POST", "/api/datasets", json: dataset("events")).status == 201)
            let first = Array((0..<20_000).map { "row \($0)\n" }.joined().utf8)
            #expect(try await Self.upload(first, as: "v1", to: server).status == 201)

            // Fill the file system (dd stops at ENOSPC).
            let filler = folder.appendingPathComponent("filler")
            _ = try await Subprocess.run("dd", ["if=/dev/zero", "of=\(filler.path)", "bs=1M", "count=64"])
            let second = Array((0..<100_000).map { "line \($0),\($0 % 3)\n" }.joined().utf8)
            let refused = try await Self.upload(second, as: "v2", to: server)
            #expect(refused.status == 507, "\(refused.status) \(refused.text)")
            #expect(refused.header("Content-Type") == "application/problem+json")
            #expect(refused.json["detail"]?.stringValue?.contains("No space left on device") == true, "\(refused.text)")
            #expect(try await server.request("GET", "/api/datasets/events/versions/v2").status == 404, "nothing recorded")
            let spool = spoolFiles(in: folder)
            #expect(spool.isEmpty, "the refused upload's spool file is gone: \(spool)")

            // Reads go on, and the server stays ready (a full disk is not a reason to leave the Service).
            let download = try await server.request("GET", "/api/datasets/events/versions/v1/download")
            #expect(download.status == 200 && download.body == first, "\(download.status)")
            #expect(try await server.request("GET", "/api/datasets").status == 200)
            let ready = try await server.request("GET", "/readyz", key: nil)
            #expect(ready.status == 200, "\(ready.text)")
            let metrics = try await MetricsConventionTests.scrape(server.baseURL)
            #expect(
                metrics.split(separator: "\n").contains { $0.hasPrefix("http_server_requests_total{") && $0.contains("\"507\"") },
                "the 507 is counted: \(metrics.prefix(2000))")

            try FileManager.default.removeItem(at: filler)
            let again = try await Self.upload(second, as: "v2", to: server)
            #expect(again.status == 201, "\(again.status) \(again.text)")
            let stored = try await server.request("GET", "/api/datasets/events/versions/v2/download")
            #expect(stored.status == 200 && stored.body == second)
            #expect(try await server.request("GET", "/api/audit/verify").json["valid"]?.boolValue == true)
        } catch {
            await server.stopAndDropDatabase()
            throw error
        }
        await server.stopAndDropDatabase()
    }

    static func upload(_ content: [UInt8], as name: String, to server: TestServer) async throws -> HTTPResponse {
        let digest = Hex.encode(SHA256.hash(data: content))
        return try await server.request(
            "POST", "/api/datasets/events/versions/upload?name=\(name)&sha256=\(digest)", body: .bytes(content),
            headers: [("Content-Type", "text/csv")])
    }
}
