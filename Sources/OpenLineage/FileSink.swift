import Foundation
import Synchronization

/// A JSON-lines file: each event appended as one line (opened with `O_APPEND`, one `write` per
/// line, so lines of concurrent writers never interleave). A file that cannot be written is
/// retried like a collector that is down.
public final class FileSink: LineageSink {
    public let path: String
    let lock = Mutex(())

    public init(path: String) { self.path = path }

    public var label: String { "file \(path)" }
    public var secrets: [String] { [] }

    public func deliver(_ body: [UInt8]) throws(SinkFailure) {
        try lock.withLock { _ throws(SinkFailure) in
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else { throw SinkFailure("cannot open \(path): \(String(cString: strerror(errno)))", retryable: true) }
            defer { close(descriptor) }
            let line = body + [0x0A]
            let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == line.count else {
                throw SinkFailure("cannot append to \(path): \(String(cString: strerror(errno)))", retryable: true)
            }
        }
    }
}
