import CZlib

/// A streaming gzip decoder over zlib: feed compressed bytes in chunks of any size, receive
/// the decompressed bytes through a closure. Concatenated gzip members (what `cat a.gz b.gz`
/// makes) decode as one stream. Confined to one thread at a time.
public final class GzipDecoder {
    private var stream = z_stream()
    private var output: UnsafeMutablePointer<UInt8>
    private let outputSize: Int
    private var started = false
    /// True between a member's header and its trailer: input that ends here is truncated.
    public private(set) var insideMember = false
    /// Decompressed bytes produced so far.
    public private(set) var totalOut: UInt64 = 0

    public init(outputSize: Int = 1 << 18) throws {
        self.outputSize = max(4096, outputSize)
        output = .allocate(capacity: self.outputSize)
        // 16 + MAX_WBITS: a gzip wrapper, not zlib's own.
        let status = datapilot_inflate_init2(&stream, 16 + MAX_WBITS)
        guard status == Z_OK else {
            output.deallocate()
            throw CompressionError(.zlib, "inflateInit2 failed (\(status))")
        }
        started = true
    }

    deinit {
        if started { inflateEnd(&stream) }
        output.deallocate()
    }

    /// Decompresses `input`, calling `sink` with each piece of output (valid only during the call).
    public func decode(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var offset = 0
        while offset < input.count {
            // avail_in is 32 bits wide: hand zlib at most 1 GiB at a time.
            let piece = min(input.count - offset, 1 << 30)
            stream.next_in = UnsafeMutablePointer(mutating: base.advanced(by: offset).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(piece)
            while stream.avail_in > 0 {
                stream.next_out = output
                stream.avail_out = uInt(outputSize)
                let status = inflate(&stream, Z_NO_FLUSH)
                let produced = outputSize - Int(stream.avail_out)
                if produced > 0 {
                    insideMember = true
                    totalOut += UInt64(produced)
                    try sink(UnsafeRawBufferPointer(start: output, count: produced))
                }
                switch status {
                case Z_OK:
                    insideMember = true
                case Z_STREAM_END:
                    // One member ended; another may follow (concatenated members).
                    insideMember = false
                    guard inflateReset(&stream) == Z_OK else { throw CompressionError(.zlib, "inflateReset failed") }
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 { break }  // needs more input
                    throw CompressionError(.corrupt, "gzip data is damaged (no progress possible)")
                case Z_DATA_ERROR:
                    let detail = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw CompressionError(.corrupt, "gzip data is damaged: \(detail) (after \(totalOut) decompressed bytes)")
                case Z_MEM_ERROR:
                    throw CompressionError(.zlib, "zlib ran out of memory")
                default:
                    throw CompressionError(.zlib, "inflate failed (\(status))")
                }
            }
            offset += piece
        }
    }

    /// Convenience for arrays.
    public func decode(_ input: [UInt8], into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try input.withUnsafeBytes { try decode($0, into: sink) }
    }
}
