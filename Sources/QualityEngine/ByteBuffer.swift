/// A growable byte buffer with a stable base pointer between growths; the readers keep the
/// unfinished row of the input here.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        var size = capacity
        while size < needed { size *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = size
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(count + bytes.count)
        (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    /// Drops the first `n` bytes.
    func removeFirst(_ n: Int) {
        guard n > 0 else { return }
        let rest = count - n
        if rest > 0 { base.update(from: base + n, count: rest) }
        count = rest
    }
}
