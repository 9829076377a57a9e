import Foundation
import Testing

@testable import ObjectStore

/// Named objects (not content-addressed): a put replaces what the name held, even with bytes of
/// the same size; a missing name reads as nil; an object larger than expected is refused. Both
/// stores, the S3 one against a real S3 server on loopback (moto), read back by boto3.
@Suite struct NamedObjectTests {
    static func exercise(_ store: any ObjectStore) async throws {
        let key = "audit/checkpoints/latest.json"
        #expect(try await store.getNamed(key: key, maximumBytes: 1024) == nil)
        try await store.putNamed(Array(#"{"sequence": 1}"#.utf8), key: key, contentType: "application/json")
        #expect(try await store.getNamed(key: key, maximumBytes: 1024) == Array(#"{"sequence": 1}"#.utf8))
        // Same size, other bytes: content addressing would keep the old ones.
        try await store.putNamed(Array(#"{"sequence": 2}"#.utf8), key: key, contentType: "application/json")
        #expect(try await store.getNamed(key: key, maximumBytes: 1024) == Array(#"{"sequence": 2}"#.utf8))
        #expect(try await store.getNamed(key: key, maximumBytes: 15) == Array(#"{"sequence": 2}"#.utf8), "exactly the limit")
        let error = await #expect(throws: ObjectStoreError.self) { try await store.getNamed(key: key, maximumBytes: 14) }
        #expect(error?.code == .rejected && error?.message.contains(key) == true, "\(String(describing: error))")
        try await store.putNamed([], key: "audit/empty", contentType: "application/json")
        #expect(try await store.getNamed(key: "audit/empty", maximumBytes: 10) == [])
    }

    @Test func fileStore() async throws {
        let folder = try TemporaryFolder()
        try await Self.exercise(try FileObjectStore(root: folder.path("objects")))
    }

    @Test func s3Store() async throws {
        let moto = try await MotoServer(buckets: ["datapilot-named"])
        let store = try S3ObjectStoreMotoTests.store(moto, bucket: "datapilot-named", prefix: "dp")
        try await Self.exercise(store)
        let read = try await moto.boto3("datapilot-named", "sha256", "dp/audit/checkpoints/latest.json")
        #expect(read == "\(SigV4.sha256Hex(Array(#"{"sequence": 2}"#.utf8))) 15", "an independent client reads the replaced bytes")
    }
}
