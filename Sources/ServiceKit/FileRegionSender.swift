import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Next to the socket of a client connection: swaps a `ZeroCopyFile` marker for its file, sent as
/// NIO file regions (sendfile(2)) of at most `chunk` bytes, written while the channel is writable
/// and again once what is queued has drained below its low-water mark. The writability of the channel thus still follows
/// the client's reading, so the connection guard's slow-read clock works as it does for buffers.
/// Anything else written while a file is under way waits until its last byte is out.
final class FileRegionSender: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// What a client must take within the body timeout before the guard calls it a slow reader
    /// (as with the 256 KiB buffers of other bodies); the kernel sends chunk after chunk while the
    /// socket takes them, so this costs a fast client nothing but a system call per chunk.
    static let chunk = 256 << 10

    /// The file being sent and how far.
    private struct Sending {
        let handle: NIOFileHandle
        var next: Int
        let end: Int
        let sent: EventLoopPromise<Void>
    }

    private var sending: Sending?
    private var pumping = false
    private var held: [(NIOAny, EventLoopPromise<Void>?)] = []
    private var flushHeld = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if sending != nil {
            held.append((data, promise))
            return
        }
        guard case .byteBuffer(let buffer) = unwrapOutboundIn(data), let file = ZeroCopyFile.claim(buffer) else {
            context.write(data, promise: promise)
            return
        }
        let handle: NIOFileHandle
        do {
            handle = try Self.open(file)
        } catch {
            promise?.fail(error)
            file.sent.fail(error)
            // The head announced bytes that cannot come: the client must not wait for them.
            context.close(promise: nil)
            return
        }
        sending = Sending(handle: handle, next: Int(file.offset), end: Int(file.offset + file.length), sent: file.sent)
        promise?.succeed()
        pump(context: context)
    }

    func flush(context: ChannelHandlerContext) {
        if sending != nil { flushHeld = true } else { context.flush() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop(ChannelError.ioOnClosedChannel)
    }

    /// Writes regions while the channel takes them; the last one's completion ends the file.
    private func pump(context: ChannelHandlerContext) {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while var file = sending, file.next < file.end, context.channel.isWritable {
            let upTo = min(file.end, file.next + Self.chunk)
            let region = FileRegion(fileHandle: file.handle, readerIndex: file.next, endIndex: upTo)
            file.next = upTo
            sending = file
            let written = context.eventLoop.makePromise(of: Void.self)
            let last = upTo == file.end
            written.futureResult.assumeIsolated().whenComplete { [self] result in
                switch result {
                case .failure(let error):
                    stop(error)
                    context.close(promise: nil)
                case .success where last:
                    finish(context: context)
                case .success:
                    break
                }
            }
            context.writeAndFlush(wrapOutboundOut(.fileRegion(region)), promise: written)
        }
    }

    /// The file is out: its body goes on, and what waited behind it is written.
    private func finish(context: ChannelHandlerContext) {
        guard let file = sending else { return }
        sending = nil
        try? file.handle.close()
        file.sent.succeed()
        let waiting = held
        held = []
        for (data, promise) in waiting { write(context: context, data: data, promise: promise) }
        if flushHeld {
            flushHeld = false
            flush(context: context)
        }
    }

    private func stop(_ error: any Error) {
        guard let file = sending else { return }
        sending = nil
        try? file.handle.close()
        file.sent.fail(error)
        let waiting = held
        held = []
        for (_, promise) in waiting { promise?.fail(error) }
    }

    /// Opens the file and checks it still holds the range (objects are immutable, but a file that
    /// shrank would leave the client waiting for bytes that never come).
    private static func open(_ file: ZeroCopyFile.Pending) throws -> NIOFileHandle {
        let handle = try NIOFileHandle(_deprecatedPath: file.path)
        var info = stat()
        let status = try handle.withUnsafeFileDescriptor { fstat($0, &info) }
        guard status == 0, Int64(info.st_size) >= file.offset + file.length else {
            try? handle.close()
            throw IOError(errnoCode: status == 0 ? EIO : errno, reason: "\(file.path) no longer holds \(file.offset + file.length) bytes")
        }
        return handle
    }
}
