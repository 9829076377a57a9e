import Crypto
import Foundation
import Manifests
import Postgres
import TestSupport
import Testing

/// Postgres stopped (a fast shutdown: sessions ended, open transactions rolled back) and
/// started again, on a cluster of the test's own so that the suites sharing the run's cluster
/// see nothing of it.
@Suite(.timeLimit(.minutes(4))) struct PostgresFaultTests {
    /// Restarted while a sync's creates are in flight (held in a trigger, so the stop comes at
    /// a known point whatever the load): the server answers 503 meanwhile, the reconciler loses
    /// its lease and takes it again, and the sync resumes and converges with every object
    /// created once.
    @Test func postgresRestartedDuringASyncIsSurvived() async throws {
        let cluster = try await PrivateCluster.start()
        let repository = try await TestRepository.examples()
        defer { repository.remove() }
        try (0..<30).map { i in
            "apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {name: many-\(i)}\nspec: {format: csv, owner: team@example.com}\n"
        }.joined(separator: "---\n").write(to: repository.file("examples/datasets/many.yaml"), atomically: true, encoding: .utf8)
        let head = try await repository.commit("Thirty more datasets")
        do {
            try await withServer(cluster: cluster.url) { server in
                let hold = try await DatasetInsertHold(databaseURL: server.databaseURL, after: 10)
                defer { hold.close() }
                let reconciler = try await TestReconciler(
                    server: server, arguments: ["--repo", repository.url, "--path", "examples", "--name", "examples", "--interval", "1s"])
                do {
                    let held = try await eventually(90) { (try? await hold.reached()) == true }
                    try #require(held, "the sync reached the held insert: \(reconciler.logText.suffix(2000))")
                    try await cluster.halt()
                    // Down: the server says so, the reconciler lets its lease go.
                    let unready = try await eventually(60) { try await server.request("GET", "/readyz", key: nil).status == 503 }
                    #expect(unready, "the server's /readyz reports the database")
                    let lost = try await eventually(60) { reconciler.logText.contains("lost the lease connection") }
                    #expect(lost, "the reconciler noticed the lost lease: \(reconciler.logText.suffix(3000))")
                    let down = try await server.request("GET", "/api/datasets")
                    #expect(down.status == 503 && down.header("Retry-After") != nil, "\(down.status) \(down.text)")

                    try await cluster.resume()
                    // The dead sessions' pool connection fails once, then a new one drops the trigger.
                    var released = false
                    for _ in 0..<5 where !released { released = (try? await hold.release()) != nil }
                    #expect(released, "the trigger was dropped")
                    try await FaultInvariants(
                        server: server, reconciler: reconciler, source: "examples", manifests: repository.file("examples")
                    )
                    .expectConverged(to: head, within: 90)
                    let creates = try await server.auditEvents("&action=create").compactMap { $0["resource"]?.stringValue }
                    #expect(creates.filter { $0.hasPrefix("dataset/many-") }.count == 30, "each of the thirty created exactly once")
                    #expect(try await server.request("GET", "/readyz", key: nil).status == 200)
                } catch {
                    await reconciler.stop()
                    throw error
                }
                await reconciler.stop()
            }
        } catch {
            await cluster.remove()
            throw error
        }
        await cluster.remove()
    }

    /// Restarted while an upload's version row is being inserted: the upload fails cleanly (503,
    /// problem+json, no version), the same upload sent again once Postgres is back completes,
    /// and then every stored object is referred to by a version and every version's object is
    /// there with its size and digest: never half stored.
    @Test func postgresRestartedDuringAnUploadStoresAllOrNothing() async throws {
        let cluster = try await PrivateCluster.start()
        do {
            try await withServer(cluster: cluster.url) { server in
                #expect(try await server.request("POST", "/api/datasets", json: dataset("events")).status == 201)
                let content = Array((0..<300_000).map { "row \($0),\($0 % 7)\n" }.joined().utf8)
                let digest = Hex.encode(SHA256.hash(data: content))
                let hold = try await DatasetInsertHold(databaseURL: server.databaseURL, after: 0, table: "dataset_versions")
                defer { hold.close() }
                let path = "/api/datasets/events/versions/upload?name=v1&sha256=\(digest)"
                let headers = [("Content-Type", "text/csv"), ("Idempotency-Key", "upload-\(UUID().uuidString)")]
                async let upload = server.request("POST", path, body: .bytes(content), headers: headers)
                let held = try await eventually(90) { (try? await hold.reached()) == true }
                try #require(held, "the upload reached the held insert")
                try await cluster.halt()
                let failed = try await upload
                #expect(failed.status == 503, "\(failed.status) \(failed.text)")
                #expect(failed.header("Content-Type") == "application/problem+json", "\(failed.text)")

                try await cluster.resume()
                var released = false
                for _ in 0..<5 where !released { released = (try? await hold.release()) != nil }
                #expect(released, "the trigger was dropped")
                let ready = try await eventually(60) { try await server.request("GET", "/readyz", key: nil).status == 200 }
                #expect(ready)
                #expect(try await server.request("GET", "/api/datasets/events/versions/v1").status == 404, "no version was recorded")
                #expect(try await Self.rows(server).isEmpty)

                let again = try await server.request("POST", path, body: .bytes(content), headers: headers)
                #expect(again.status == 201, "\(again.status) \(again.text)")
                let rows = try await Self.rows(server)
                let stored = try Self.storedObjects(server)
                #expect(Set(rows.map(\.key)) == Set(stored.keys), "versions \(rows) and stored objects \(stored) agree")
                for row in rows {
                    #expect(
                        stored[row.key] == row.size, "\(row.key): stored \(String(describing: stored[row.key])) bytes, row says \(row.size)"
                    )
                    #expect(row.key.hasSuffix(row.sha256))
                }
                #expect(rows.map(\.sha256) == [digest])
                let download = try await server.request("GET", "/api/datasets/events/versions/v1/download")
                #expect(download.status == 200 && download.body == content, "\(download.status)")
                let verified = try await server.request("GET", "/api/audit/verify")
                #expect(verified.json["valid"]?.boolValue == true, "the audit chain: \(verified.text)")
            }
        } catch {
            await cluster.remove()
            throw error
        }
        await cluster.remove()
    }

    struct VersionRow: Sendable, CustomStringConvertible {
        var key: String
        var sha256: String
        var size: Int
        var description: String { "\(key) (\(size) bytes)" }
    }

    static func rows(_ server: TestServer) async throws -> [VersionRow] {
        let pool = ConnectionPool(conninfo: server.databaseURL, maxConnections: 1)
        defer { pool.close() }
        return try await pool.withConnection { connection in
            try connection.query("select object_key, sha256, size::text as size from dataset_versions").map {
                VersionRow(key: $0["object_key"] ?? "", sha256: $0["sha256"] ?? "", size: Int($0["size"] ?? "") ?? -1)
            }
        }
    }

    /// The content-addressed objects in the server's file object store, by key, with their sizes.
    static func storedObjects(_ server: TestServer) throws -> [String: Int] {
        let root = server.dataDirectory.appendingPathComponent("objects")
        var found: [String: Int] = [:]
        let files = FileManager.default.enumerator(at: root.appendingPathComponent("sha256"), includingPropertiesForKeys: [.fileSizeKey])
        while let file = files?.nextObject() as? URL {
            let values = try file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            guard values.isRegularFile == true else { continue }
            found[String(file.path.dropFirst(root.path.count + 1))] = values.fileSize
        }
        return found
    }
}
