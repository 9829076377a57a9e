import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A byte range of a local file sent by the kernel (sendfile(2), through NIO file regions) instead
/// of being read into memory and written out again.
///
/// Hummingbird's response bodies carry byte buffers only, so the body written here is a marker:
/// 32 random bytes under which the file, offset and length wait in `pending`. `FileRegionSender`,
/// next to the socket in every client connection (the connection guard installs it), claims the
/// marker and sends the file in its place; the body waits until the last byte has gone, so the
/// response ends after its file as before. A marker is claimed once, by the connection it was
/// written to, and lives only while its response is written: a body chunk of another answer
/// would have to hold the same 256 random bits to be taken for one.
public enum ZeroCopyFile {
    /// A file range waiting for its marker to reach the socket side of its connection.
    struct Pending: Sendable {
        let path: String
        let offset: Int64
        let length: Int64
        /// Succeeded when the last byte is written, failed when the file cannot be sent.
        let sent: EventLoopPromise<Void>
    }

    static let markerLength = 32
    static let pending = Mutex<[[UInt8]: Pending]>([:])

    /// `length` bytes of the file at `path` from `offset`, sent with file regions on `channel`
    /// when it has a `FileRegionSender`, and read and written in chunks otherwise.
    public static func body(path: String, offset: Int64, length: Int64, channel: (any Channel)?) -> ResponseBody {
        guard let channel, length > 0 else { return fileBody(path: path, offset: offset, length: length, removeAfter: false) }
        return ResponseBody(contentLength: Int(length)) { writer in
            guard (try? await channel.pipeline.containsHandler(type: FileRegionSender.self).get()) != nil else {
                try await fileBody(path: path, offset: offset, length: length, removeAfter: false).write(writer)
                return
            }
            let sent = channel.eventLoop.makePromise(of: Void.self)
            // A marker that never reaches the socket side (the connection closed first) fails here.
            channel.closeFuture.whenComplete { _ in sent.fail(ChannelError.ioOnClosedChannel) }
            var generator = SystemRandomNumberGenerator()
            let marker = (0..<markerLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            pending.withLock { $0[marker] = Pending(path: path, offset: offset, length: length, sent: sent) }
            defer { _ = pending.withLock { $0.removeValue(forKey: marker) } }
            try await writer.write(ByteBuffer(bytes: marker))
            try await sent.futureResult.get()
            try await writer.finish(nil)
        }
    }

    /// The file range `buffer` stands for, if it is a live marker; it is no longer pending then.
    static func claim(_ buffer: ByteBuffer) -> Pending? {
        guard buffer.readableBytes == markerLength else { return nil }
        let key = Array(buffer.readableBytesView)
        return pending.withLock { $0.removeValue(forKey: key) }
    }
}
