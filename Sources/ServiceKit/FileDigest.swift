import Blocking
import Crypto
import Foundation
import Manifests

/// The sha256 and size of a local file, read in chunks off the cooperative pool.
public enum FileDigest {
    public static func sha256(path: String) async throws -> (sha256: String, size: Int64) {
        try await BlockingQueue(label: "datapilot.digest").run {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw Problem(.internalServerError, title: "Cannot read file", detail: "cannot open \(path)")
            }
            defer { try? handle.close() }
            var hasher = SHA256()
            var size: Int64 = 0
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
                size += Int64(chunk.count)
            }
            return (Hex.encode(hasher.finalize()), size)
        }
    }
}
