import Curl
import Foundation
import Manifests
import Postgres
import Testing

@Suite struct VersionTests {
    let csv = "customer_id,tenure\n" + (0..<500).map { "c\($0),\($0 % 60)" }.joined(separator: "\n") + "\n"

    @Test(arguments: ServerMode.allCases)
    func versionsAreImmutableAndDownloadable(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            #expect(try await server.request("POST", "/api/datasets", json: dataset("churn")).status == 201)
            let upload = "/api/datasets/churn/versions/upload?name=churn-1&source_path=data/churn-1.csv"
            let created = try await server.request("POST", upload, body: .bytes(Array(csv.utf8)), headers: [("Content-Type", "text/csv")])
            #expect(created.status == 201, "\(created.text)")
            let sha = try #require(created.json["status"]?["sha256"]?.stringValue)
            #expect(created.json["status"]?["size"]?.numberValue == Double(csv.utf8.count))
            #expect(created.json["spec"]?["source"]?["sha256"]?.stringValue == sha)

            // Same name, same bytes: the same version again. Other bytes: refused.
            let again = try await server.request("POST", upload, body: .bytes(Array(csv.utf8)))
            #expect(again.status == 200)
            let changed = try await server.request("POST", upload, body: .bytes(Array((csv + "x,1\n").utf8)))
            #expect(changed.status == 409)
            #expect(changed.json["detail"]?.stringValue?.contains("create a new version") == true)

            let whole = try await server.request("GET", "/api/datasets/churn/versions/churn-1/download")
            #expect(whole.status == 200)
            #expect(whole.text == csv)
            #expect(whole.header("Content-Type") == "text/csv")
            let part = try await server.request("GET", "/api/datasets/churn/versions/churn-1/download", headers: [("Range", "bytes=0-10")])
            #expect(part.status == 206)
            #expect(part.text == String(csv.prefix(11)))
            #expect(part.header("Content-Range") == "bytes 0-10/\(csv.utf8.count)")
            let tail = try await server.request("GET", "/api/datasets/churn/versions/churn-1/download", headers: [("Range", "bytes=-4")])
            #expect(tail.text == String(csv.suffix(4)))
            let outside = try await server.request(
                "GET", "/api/datasets/churn/versions/churn-1/download", headers: [("Range", "bytes=999999-")])
            #expect(outside.status == 416)
            #expect(outside.header("Content-Range") == "bytes */\(csv.utf8.count)")
            // Not a single byte range: ignored, the whole body is served.
            let several = try await server.request(
                "GET", "/api/datasets/churn/versions/churn-1/download", headers: [("Range", "bytes=0-1,5-6")])
            #expect(several.status == 200)
            #expect(several.text == csv)

            // Version names are unique across datasets.
            _ = try await server.request("POST", "/api/datasets", json: dataset("other"))
            let taken = try await server.request("POST", "/api/datasets/other/versions/upload?name=churn-1", body: .bytes(Array(csv.utf8)))
            #expect(taken.status == 409)
            #expect(taken.json["detail"]?.stringValue?.contains("belongs to Dataset \"churn\"") == true)

            // A dataset with versions is kept.
            #expect(try await server.request("DELETE", "/api/datasets/churn").status == 409)

            let graph = try await server.request("GET", "/api/lineage/graph?node=datasetversion/churn-1&direction=upstream")
            #expect(graph.json["edges"]?.arrayValue?.first?["from"]?.stringValue == "dataset/churn")
        }
    }

    @Test(arguments: ServerMode.allCases)
    func aWrongExpectedDigestStoresNothing(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            let wrong = String(repeating: "0", count: 64)
            let response = try await server.request(
                "POST", "/api/datasets/churn/versions/upload?name=v1&sha256=\(wrong)",
                body: .bytes(Array(csv.utf8)))
            #expect(response.status == 422)
            #expect(response.json["detail"]?.stringValue?.contains("not the expected") == true)
            #expect(try await server.request("GET", "/api/datasets/churn/versions/v1").status == 404)
            #expect(spoolFiles(in: server.dataDirectory).isEmpty, "the spooled upload is removed: \(spoolFiles(in: server.dataDirectory))")
        }
    }

    static let badUploads: [(label: String, path: String, status: Int, mentions: String)] = [
        ("no name", "/api/datasets/churn/versions/upload", 400, "?name="),
        ("bad name", "/api/datasets/churn/versions/upload?name=Bad_Name", 400, "DNS-1123"),
        ("bad sha256", "/api/datasets/churn/versions/upload?name=v2&sha256=xyz", 400, "64 lowercase"),
        ("no such dataset", "/api/datasets/nope/versions/upload?name=v3", 404, "Dataset \"nope\""),
        ("path escaping", "/api/datasets/churn/versions/upload?name=v4&source_path=../../etc/passwd", 400, "without .."),
        ("not a URL", "/api/datasets/churn/versions/upload?name=v5&source_url=ftp://x", 400, "http"),
        ("two sources", "/api/datasets/churn/versions/upload?name=v6&source_path=a.csv&source_url=https://x/a.csv", 400, "not both"),
    ]

    @Test func badUploadsAreRefused() async throws {
        try await withServer { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("churn"))
            for bad in Self.badUploads {
                let response = try await server.request("POST", bad.path, body: .bytes(Array("a,b\n".utf8)))
                #expect(response.status == bad.status, "\(bad.label): \(response.text)")
                #expect(response.json["detail"]?.stringValue?.contains(bad.mentions) == true, "\(bad.label): \(response.text)")
            }
            let versions = try await server.request("GET", "/api/datasets/churn/versions")
            #expect(versions.json["items"]?.arrayValue?.isEmpty == true)
        }
    }

    /// A large upload streams through a spool file: the server's memory stays far below the size.
    @Test(arguments: ServerMode.allCases)
    func largeUploadsStreamWithBoundedMemory(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            _ = try await server.request("POST", "/api/datasets", json: dataset("big"))
            let file = server.dataDirectory.appendingPathComponent("big.bin")
            let size = 300 << 20
            #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
            let handle = try FileHandle(forWritingTo: file)
            var block = [UInt8](repeating: 0, count: 1 << 20)
            for i in 0..<(size >> 20) {
                for j in stride(from: 0, to: block.count, by: 4096) { block[j] = UInt8(truncatingIfNeeded: i &* 31 &+ j) }
                try handle.write(contentsOf: block)
            }
            try handle.close()
            let before = server.peakMemory
            let response = try await server.request("POST", "/api/datasets/big/versions/upload?name=big-1", body: .file(file.path))
            #expect(response.status == 201, "\(response.text)")
            #expect(response.json["status"]?["size"]?.numberValue == Double(size))
            let peak = server.peakMemory
            #expect(peak < 160 << 20, "peak RSS \(peak >> 20) MiB (was \(before >> 20) MiB before the upload of \(size >> 20) MiB)")

            let downloaded = server.dataDirectory.appendingPathComponent("down.bin")
            let download = try await server.request("GET", "/api/datasets/big/versions/big-1/download", into: .file(downloaded.path))
            #expect(download.status == 200)
            let attributes = try FileManager.default.attributesOfItem(atPath: downloaded.path)
            #expect((attributes[.size] as? NSNumber)?.intValue == size)
            #expect(server.peakMemory < 160 << 20)
        }
    }
}

@Suite struct AuditTests {
    @Test(arguments: ServerMode.allCases)
    func theChainVerifiesUntilARowIsEditedInPostgres(_ mode: ServerMode) async throws {
        try await withServer(mode: mode) { server in
            for i in 0..<3 {
                _ = try await server.request(
                    "POST", "/api/datasets", json: dataset("a\(i)"),
                    headers: [
                        ("X-DataPilot-Source-Repository", "https://git.example.com/ml/data.git"),
                        ("X-DataPilot-Source-Commit", String(repeating: "c", count: 40)),
                        ("X-DataPilot-Source-Author", "Ada <ada@example.com>"),
                    ])
            }
            let verified = try await server.request("GET", "/api/audit/verify")
            #expect(verified.json["valid"]?.boolValue == true)
            #expect(verified.json["checked"]?.numberValue == 3)

            let events = try await server.request("GET", "/api/audit/events?actor=apikey:bootstrap-admin&page_size=2")
            #expect(events.json["items"]?.arrayValue?.count == 2)
            #expect(events.json["items"]?[0]?["source"]?["commit"]?.stringValue == String(repeating: "c", count: 40))
            let token = try #require(events.json["next_page_token"]?.stringValue)
            let rest = try await server.request("GET", "/api/audit/events?page_size=2&page_token=\(token)")
            #expect(rest.json["items"]?.arrayValue?.map { $0["resource"]?.stringValue } == ["dataset/a2"])

            let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
            try await pool.withConnection { try $0.query("update audit_events set actor = 'mallory' where sequence = 2") }
            pool.close()
            let broken = try await server.request("GET", "/api/audit/verify")
            #expect(broken.json["valid"]?.boolValue == false)
            #expect(broken.json["first_broken_sequence"]?.numberValue == 2)
            #expect(broken.json["reason"]?.stringValue?.contains("changed after it was written") == true)
        }
    }

    @Test func badAuditQueriesAreRefused() async throws {
        try await withServer { (server: TestServer) async throws in
            #expect(try await server.request("GET", "/api/audit/events?since=yesterday").status == 400)
            #expect(try await server.request("GET", "/api/audit/events?since=2026-13-45").status == 400)
            #expect(try await server.request("GET", "/api/lineage/graph").status == 400)
            #expect(try await server.request("GET", "/api/lineage/graph?node=dataset/x&direction=sideways").status == 400)
            #expect(try await server.request("GET", "/api/lineage/graph?node=dataset/x&depth=99").status == 400)
        }
    }
}
