import Foundation
import Hummingbird
import NIOCore
import ObjectStore

/// A stored object (or an inclusive byte range of it) as a streamed response body: sent in place
/// from a filesystem store (by the kernel, `ZeroCopyFile`, when `channel` is the client
/// connection), or fetched to a spool file first (removed once sent).
public func storedObjectBody(
    _ store: any ObjectStore, key: String, size: Int64, range: ClosedRange<Int64>? = nil,
    spoolDirectory: String, channel: (any Channel)? = nil
) async throws -> ResponseBody {
    let (offset, length) = range.map { ($0.lowerBound, $0.upperBound - $0.lowerBound + 1) } ?? (0, size)
    if size == 0 { return ResponseBody() }
    if let file = store as? FileObjectStore {
        return ZeroCopyFile.body(path: file.localPath(key: key), offset: offset, length: length, channel: channel)
    }
    let temporary = spoolDirectory + "/download-\(UUID().uuidString)"
    try await store.get(key: key, range: range, to: temporary)
    return fileBody(path: temporary, offset: 0, length: length, removeAfter: true)
}
