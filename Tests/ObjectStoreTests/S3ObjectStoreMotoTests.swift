import Foundation
import Testing

@testable import ObjectStore

/// S3ObjectStore against a real S3 server on loopback (moto, signatures checked), with objects
/// read back by an independent client (boto3). Each test has a server of its own.
@Suite struct S3ObjectStoreMotoTests {
    static func store(
        _ moto: MotoServer, endpoint: String? = nil, bucket: String, style: S3ObjectStore.AddressingStyle = .path,
        prefix: String = "", accessKeyId: String? = nil, secret: String? = nil
    ) throws -> S3ObjectStore {
        try S3ObjectStore(
            .init(
                endpoint: endpoint ?? moto.endpoint, bucket: bucket, region: MotoServer.region,
                accessKeyId: accessKeyId ?? moto.accessKeyId, secretAccessKey: secret ?? moto.secretAccessKey,
                addressingStyle: style, keyPrefix: prefix))
    }

    @Test func pathStyleRoundTripReadBackByBoto3() async throws {
        let moto = try await MotoServer(buckets: ["datapilot-objects"])
        let folder = try TemporaryFolder()
        let store = try Self.store(moto, bucket: "datapilot-objects", prefix: "datapilot")
        #expect(store.description == "s3://datapilot-objects/datapilot (http://127.0.0.1:\(moto.port))")
        // The reachability check lists one key under the prefix, signed as AWS specifies (`/` in a
        // query value is %2F; S3ObjectStoreTests.reachabilityProbeURL pins that). moto 5.2.1
        // decodes %2F before it recomputes the signature, so it refuses that listing from boto3
        // too. Our check must answer exactly as the reference client does on the same server:
        // both pass, or both are refused for their signature.
        try await Self.store(moto, bucket: "datapilot-objects").checkReachable()
        let reference = try await moto.boto3("datapilot-objects", "probe", "datapilot/")
        #expect(["ok", "SignatureDoesNotMatch"].contains(reference), "boto3's own listing: \(reference)")
        if reference == "ok" {
            try await store.checkReachable()
        } else {
            let refused = await #expect(throws: ObjectStoreError.self) { try await store.checkReachable() }
            #expect(refused?.message.contains("SignatureDoesNotMatch") == true, "\(refused?.message ?? "")")
        }

        let bytes = patternBytes(count: 5 * (1 << 20) + 123)
        try Data(bytes).write(to: folder.url.appendingPathComponent("source"))
        let digest = SigV4.sha256Hex(bytes)
        let key = ObjectKey.forDigest(digest)

        #expect(try await store.size(key: key) == nil)
        try await store.put(file: folder.path("source"), key: key, contentType: "application/octet-stream")
        await #expect(
            try moto.boto3("datapilot-objects", "sha256", "datapilot/" + key) == "\(digest) \(bytes.count)",
            "an independent client reads the same bytes under the prefixed key")
        try await store.put(file: folder.path("source"), key: key, contentType: "application/octet-stream")  // harmless again
        #expect(try await store.size(key: key) == Int64(bytes.count))

        try await store.get(key: key, range: nil, to: folder.path("whole"))
        #expect(try readBytes(folder.path("whole")) == bytes)
        try await store.get(key: key, range: 4_000_000...4_000_999, to: folder.path("part"))
        #expect(try readBytes(folder.path("part")) == Array(bytes[4_000_000...4_000_999]))
        try await store.get(key: key, range: 0...0, to: folder.path("first"))
        #expect(try readBytes(folder.path("first")) == [bytes[0]])

        // A key that needs URI encoding: what we sign must be what moto (botocore) computes.
        // (Spaces only: see keysThatNeedEncoding for the rest.)
        let spaced = "reports/2024 Q1/summary.json"
        try writeFile(folder.path("report"), Data("{\"ok\":true}\n".utf8))
        try await store.put(file: folder.path("report"), key: spaced, contentType: "application/json")
        await #expect(
            try moto.boto3("datapilot-objects", "sha256", "datapilot/" + spaced) == "\(SigV4.sha256Hex(Data("{\"ok\":true}\n".utf8))) 12")

        // An empty object: a zero-length streamed body, signed with the empty-body hash.
        try writeFile(folder.path("empty"), Data())
        try await store.put(file: folder.path("empty"), key: ObjectKey.forDigest(SigV4.emptyPayloadHash), contentType: "text/plain")
        await #expect(
            try moto.boto3("datapilot-objects", "sha256", "datapilot/" + ObjectKey.forDigest(SigV4.emptyPayloadHash))
                == "\(SigV4.emptyPayloadHash) 0")
        #expect(try await store.size(key: ObjectKey.forDigest(SigV4.emptyPayloadHash)) == 0)
        try await store.get(key: ObjectKey.forDigest(SigV4.emptyPayloadHash), range: nil, to: folder.path("empty-copy"))
        #expect(try readBytes(folder.path("empty-copy")) == [])

        // An object written by the other client is read by this one.
        try await moto.boto3("datapilot-objects", "put", "datapilot/from-boto3", folder.path("report"))
        try await store.get(key: "from-boto3", range: nil, to: folder.path("from-boto3"))
        #expect(try readBytes(folder.path("from-boto3")) == Array("{\"ok\":true}\n".utf8))

        try await store.delete(key: key)
        #expect(try await store.size(key: key) == nil)
        await #expect(try moto.boto3("datapilot-objects", "exists", "datapilot/" + key) == "no")
        try await store.delete(key: key)  // already gone: fine

        let missing = await #expect(throws: ObjectStoreError.self) {
            try await store.get(key: key, range: nil, to: folder.path("missing"))
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.message.contains(key) == true)
        let missingRange = await #expect(throws: ObjectStoreError.self) {
            try await store.get(key: key, range: 0...9, to: folder.path("missing"))
        }
        #expect(missingRange?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: folder.path("missing")), "no error document left at the destination")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.contains(".partial-") }.isEmpty)
    }

    /// Keys with characters that are percent-encoded in the path reach the server as the same
    /// key boto3 reads. moto 5.2.1 runs without signature checks here: it recomputes signatures
    /// over a path it has already decoded, so any key with `+`, `(`, `)` or non-ASCII fails its
    /// check — boto3's own put_object(Key="a+b.json") included. The signatures of such paths
    /// are pinned by SigV4Tests.botocorePutCrossCheck instead.
    @Test func keysThatNeedEncoding() async throws {
        let moto = try await MotoServer(buckets: ["datapilot-objects"], checkSignatures: false)
        let folder = try TemporaryFolder()
        let store = try Self.store(moto, bucket: "datapilot-objects", prefix: "p")
        let keys = ["reports/2024 Q1/summary+final (v2) ü.json", "odd/a&b=c?d#e;f,g:h@i$j!k'l.txt", "odd/tilde~star*percent%20.txt"]
        for (index, key) in keys.enumerated() {
            let bytes = Array("object \(index)\n".utf8)
            try writeFile(folder.path("source"), bytes)
            try await store.put(file: folder.path("source"), key: key, contentType: "text/plain")
            await #expect(try moto.boto3("datapilot-objects", "sha256", "p/" + key) == "\(SigV4.sha256Hex(bytes)) \(bytes.count)", "\(key)")
            #expect(try await store.size(key: key) == Int64(bytes.count))
            try await store.get(key: key, range: nil, to: folder.path("copy"))
            #expect(try readBytes(folder.path("copy")) == bytes)
        }
        await #expect(
            try moto.boto3("datapilot-objects", "list", "p/").split(separator: "\n").map { String($0.dropFirst(2)) }.sorted()
                == keys.sorted())
    }

    /// moto serves virtual-host requests for `bucket.localhost:port` (libcurl resolves any
    /// `*.localhost` name to loopback by itself, no /etc/hosts entry needed).
    @Test func virtualHostStyle() async throws {
        let moto = try await MotoServer(buckets: ["datapilot-vhost"])
        let folder = try TemporaryFolder()
        let store = try Self.store(moto, endpoint: "http://localhost:\(moto.port)", bucket: "datapilot-vhost", style: .virtualHost)
        #expect(try store.objectURL(key: "k") == "http://datapilot-vhost.localhost:\(moto.port)/k")
        try await store.checkReachable()

        let bytes = patternBytes(count: 1 << 20, seed: 7)
        try Data(bytes).write(to: folder.url.appendingPathComponent("source"))
        let key = ObjectKey.forDigest(SigV4.sha256Hex(bytes))
        try await store.put(file: folder.path("source"), key: key, contentType: "application/octet-stream")
        await #expect(try moto.boto3("datapilot-vhost", "sha256", key) == "\(SigV4.sha256Hex(bytes)) \(bytes.count)")
        #expect(try await store.size(key: key) == Int64(bytes.count))
        try await store.get(key: key, range: 10...19, to: folder.path("part"))
        #expect(try readBytes(folder.path("part")) == Array(bytes[10...19]))
        try await store.delete(key: key)
        await #expect(try moto.boto3("datapilot-vhost", "exists", key) == "no")
    }

    @Test func wrongCredentialsAreClearErrors() async throws {
        let moto = try await MotoServer(buckets: ["datapilot-objects"])
        let folder = try TemporaryFolder()
        try writeFile(folder.path("f"), Data("payload".utf8))
        let wrongSecret = "ThisIsNotTheSecretKeyForThisAccessKey000"

        let badSecret = try Self.store(moto, bucket: "datapilot-objects", secret: wrongSecret)
        let check = await #expect(throws: ObjectStoreError.self) { try await badSecret.checkReachable() }
        #expect(check?.code == .unreachable)
        #expect(check?.message.contains("S3 rejected the request signature; check secretAccessKey") == true)
        let put = await #expect(throws: ObjectStoreError.self) {
            try await badSecret.put(file: folder.path("f"), key: "k", contentType: "text/plain")
        }
        #expect(put?.code == .rejected)  // the HEAD before the PUT: 403 without a body
        #expect(put?.message.contains("access denied; check accessKeyId, secretAccessKey and sessionToken") == true)

        let badKey = try Self.store(moto, bucket: "datapilot-objects", accessKeyId: "AKIAUNKNOWNKEY000000")
        let unknown = await #expect(throws: ObjectStoreError.self) { try await badKey.checkReachable() }
        #expect(unknown?.message.contains("S3 does not know the access key id; check accessKeyId") == true)

        for error in [check, put, unknown].compactMap({ $0 }) {
            #expect(!error.message.contains(wrongSecret))
            #expect(!error.message.contains(moto.secretAccessKey))
            #expect(!error.message.contains("AKIAUNKNOWNKEY000000"))
            #expect(!error.message.contains(moto.accessKeyId))
        }
        await #expect(try moto.boto3("datapilot-objects", "exists", "k") == "no", "nothing was stored with a bad signature")
    }

    @Test func missingBucketIsAClearError() async throws {
        let moto = try await MotoServer(buckets: ["datapilot-objects"])
        let folder = try TemporaryFolder()
        try writeFile(folder.path("f"), Data("payload".utf8))
        let store = try Self.store(moto, bucket: "no-such-bucket")
        let check = await #expect(throws: ObjectStoreError.self) { try await store.checkReachable() }
        #expect(check?.code == .unreachable)
        #expect(
            check?.message.contains(
                "there is no bucket 'no-such-bucket' at http://127.0.0.1:\(moto.port); check the bucket name and the endpoint") == true)
        let get = await #expect(throws: ObjectStoreError.self) { try await store.get(key: "k", range: 0...1, to: folder.path("out")) }
        #expect(get?.code == .rejected, "a missing bucket is not a missing object")
    }
}
