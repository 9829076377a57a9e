import Blocking
import Crypto
import Foundation
import Hummingbird
import Manifests

/// A request body written to a local file as it arrives, hashed on the way, never held whole
/// in memory. The file is removed by `discard()`.
public struct SpooledBody: Sendable {
    public let path: String
    public let size: Int64
    public let sha256: String

    /// The request's body, refused with 413 before a byte is read when its declared length is
    /// over `limit`, and as soon as it passes `limit` otherwise (chunked). Check who is asking first.
    public static func receive(_ request: Request, into directory: String, limit: Int64) async throws -> SpooledBody {
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > limit {
            throw tooLarge(limit)
        }
        return try await receive(request.body, into: directory, limit: limit)
    }

    static func tooLarge(_ limit: Int64) -> Problem {
        Problem(.contentTooLarge, title: "Upload too large", detail: "uploads are limited to \(limit) bytes (max-upload-bytes)")
    }

    public static func receive(_ body: RequestBody, into directory: String, limit: Int64) async throws -> SpooledBody {
        let path = directory + "/upload-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw Problem(.internalServerError, title: "Cannot store the upload", detail: "the server cannot write to its spool folder")
        }
        let io = BlockingQueue(label: "datapilot.spool")
        let box = HandleBox(handle)
        var hasher = SHA256()
        var size: Int64 = 0
        var pending = Data()
        do {
            for try await buffer in body {
                size += Int64(buffer.readableBytes)
                guard size <= limit else { throw tooLarge(limit) }
                buffer.withUnsafeReadableBytes { bytes in
                    hasher.update(bufferPointer: bytes)
                    pending.append(contentsOf: bytes)
                }
                if pending.count >= 1 << 20 {
                    let chunk = pending
                    pending = Data()
                    try await io.run { try box.handle.write(contentsOf: chunk) }
                }
            }
            let chunk = pending
            try await io.run {
                try box.handle.write(contentsOf: chunk)
                try box.handle.close()
            }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
            throw Problem.storageFull(error, what: "the server's upload spool (data-dir)") ?? error
        }
        let digest = Hex.encode(hasher.finalize())
        return SpooledBody(path: path, size: size, sha256: digest)
    }

    public func discard() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// FileHandle is used from one queue at a time.
final class HandleBox: @unchecked Sendable {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }
}

/// A response body read from a local file in chunks, off the cooperative pool.
public func fileBody(path: String, offset: Int64, length: Int64, removeAfter: Bool) -> ResponseBody {
    ResponseBody(contentLength: Int(length)) { writer in
        let io = BlockingQueue(label: "datapilot.download")
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Problem.notFound("the stored object") }
        let box = HandleBox(handle)
        defer {
            try? handle.close()
            if removeAfter { try? FileManager.default.removeItem(atPath: path) }
        }
        try await io.run { try box.handle.seek(toOffset: UInt64(offset)) }
        var remaining = length
        while remaining > 0 {
            let want = Int(min(remaining, 256 << 10))
            let chunk = try await io.run { try box.handle.read(upToCount: want) ?? Data() }
            if chunk.isEmpty { break }
            try await writer.write(ByteBuffer(bytes: chunk))
            remaining -= Int64(chunk.count)
        }
        try await writer.finish(nil)
    }
}
