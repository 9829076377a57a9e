/// A 128-bit hash of a tuple of values, built incrementally: two 64-bit lanes with different
/// seeds, each absorbing 8 bytes at a time through a 64x64->128-bit multiply and fold, and each
/// value's length and kind so that ("ab", "c") and ("a", "bc") differ. Not cryptographic; with
/// 128 bits a collision among 10^9 distinct tuples has probability about 10^-21.
struct Hash128: Hashable {
    var low: UInt64
    var high: UInt64

    private static let k0: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let k1: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let k2: UInt64 = 0x1656_67B1_9E37_79F9
    private static let k3: UInt64 = 0xD6E8_FEB8_6659_FD93

    init() {
        low = 0x243F_6A88_85A3_08D3
        high = 0x1319_8A2E_0370_7344
    }

    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always)
    private mutating func absorb(_ word: UInt64) {
        low = Self.fold(low ^ word ^ Self.k0, Self.k1) &+ (low << 23 | low >> 41)
        high = Self.fold(high ^ word ^ Self.k2, Self.k3) &+ (high << 37 | high >> 27)
    }

    /// Adds one value: its kind tag, its bytes and its length.
    mutating func add(_ p: UnsafePointer<UInt8>, _ n: Int, tag: UInt8) {
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            absorb(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        absorb(tail)
        absorb(UInt64(n) << 8 | UInt64(tag))
    }

    /// The final avalanche of both lanes.
    func finished() -> Hash128 {
        var a = low ^ (high >> 29), b = high ^ (low >> 31)
        a = Self.fold(a, Self.k1) ^ b
        b = Self.fold(b ^ Self.k0, Self.k3) ^ a
        return Hash128(low: a, high: b)
    }

    private init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }
}

/// An open-addressing set of 128-bit hashes in one flat array (16 bytes a slot, load at most
/// 3/4). The hashes are already uniform, so their low bits pick the slot.
struct HashSet128 {
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 4 / 3 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size * 2)
        mask = size - 1
    }

    /// Inserts the hash; false when it was already there.
    mutating func insert(_ hash: Hash128) -> Bool {
        if (count + 1) * 4 > (mask + 1) * 3 { grow() }
        // (0, 0) marks an empty slot: a real (0, 0) is stored as (0, 1).
        let low = hash.low, high = (hash.low | hash.high) == 0 ? 1 : hash.high
        let inserted = slots.withUnsafeMutableBufferPointer { s -> Bool in
            var index = Int(truncatingIfNeeded: low) & mask
            while true {
                let a = s[2 * index], b = s[2 * index + 1]
                if a == 0 && b == 0 {
                    s[2 * index] = low
                    s[2 * index + 1] = high
                    return true
                }
                if a == low && b == high { return false }
                index = (index + 1) & mask
            }
        }
        if inserted { count += 1 }
        return inserted
    }

    func contains(_ hash: Hash128) -> Bool {
        let low = hash.low, high = (hash.low | hash.high) == 0 ? 1 : hash.high
        return slots.withUnsafeBufferPointer { s -> Bool in
            var index = Int(truncatingIfNeeded: low) & mask
            while true {
                let a = s[2 * index], b = s[2 * index + 1]
                if a == 0 && b == 0 { return false }
                if a == low && b == high { return true }
                index = (index + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = slots
        let size = (mask + 1) * 2
        slots = [UInt64](repeating: 0, count: size * 2)
        mask = size - 1
        count = 0
        var i = 0
        while i < old.count {
            if old[i] != 0 || old[i + 1] != 0 {
                var h = Hash128()
                h.low = old[i]
                h.high = old[i + 1]
                _ = insert(h)
            }
            i += 2
        }
    }
}
