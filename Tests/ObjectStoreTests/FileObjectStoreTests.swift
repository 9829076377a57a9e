import Foundation
import Testing

@testable import ObjectStore

@Suite struct FileObjectStoreTests {
    @Test func roundTrip() async throws {
        let folder = try TemporaryFolder()
        let store = try FileObjectStore(root: folder.path("objects"))
        try await store.checkReachable()

        let bytes = patternBytes(count: 2 * (1 << 20) + 5)  // more than one 1 MiB copy chunk
        try Data(bytes).write(to: folder.url.appendingPathComponent("source"))
        let key = ObjectKey.forDigest(SigV4.sha256Hex(bytes))
        #expect(key.hasPrefix("sha256/\(key.dropFirst(10).prefix(2))/"))

        #expect(try await store.size(key: key) == nil)
        try await store.put(file: folder.path("source"), key: key, contentType: "application/octet-stream")
        try await store.put(file: folder.path("source"), key: key, contentType: "application/octet-stream")  // harmless again
        #expect(try await store.size(key: key) == Int64(bytes.count))
        #expect(FileManager.default.fileExists(atPath: folder.path("source")), "the source file stays")

        try await store.get(key: key, range: nil, to: folder.path("whole"))
        #expect(try readBytes(folder.path("whole")) == bytes)

        try await store.get(key: key, range: 1_048_570...1_048_585, to: folder.path("part"))
        #expect(try readBytes(folder.path("part")) == Array(bytes[1_048_570...1_048_585]))

        try await store.delete(key: key)
        #expect(try await store.size(key: key) == nil)
        try await store.delete(key: key)  // deleting a missing object is not an error
    }

    @Test func missingKey() async throws {
        let folder = try TemporaryFolder()
        let store = try FileObjectStore(root: folder.path("objects"))
        #expect(try await store.size(key: "sha256/00/missing") == nil)
        let error = await #expect(throws: ObjectStoreError.self) {
            try await store.get(key: "sha256/00/missing", range: nil, to: folder.path("out"))
        }
        #expect(error?.code == .notFound)
    }

    @Test func unwritableRootIsUnreachable() async throws {
        let folder = try TemporaryFolder()
        let store = try FileObjectStore(root: folder.path("objects"))
        try FileManager.default.removeItem(atPath: folder.path("objects"))
        try writeFile(folder.path("objects"), Data())  // a file where the folder was
        let error = await #expect(throws: ObjectStoreError.self) { try await store.checkReachable() }
        #expect(error?.code == .unreachable)
        #expect(store.description.hasPrefix("file://"))
    }
}
