/// A set of byte values, 256 bits.
struct ByteSet: Hashable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (a: ByteSet, b: ByteSet) -> Bool { a.words == b.words }
    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    init() {}

    init(_ bytes: ClosedRange<UInt8>) {
        for b in bytes { insert(b) }
    }

    init(byte: UInt8) { insert(byte) }

    @inline(__always)
    func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func formUnion(_ other: ByteSet) {
        words.0 |= other.words.0
        words.1 |= other.words.1
        words.2 |= other.words.2
        words.3 |= other.words.3
    }

    /// The ASCII bytes (0-127) not in the set.
    var asciiComplement: ByteSet {
        var result = ByteSet()
        for b in UInt8(0)...127 where !contains(b) { result.insert(b) }
        return result
    }

    static let digits = ByteSet(UInt8(ascii: "0")...UInt8(ascii: "9"))
    static let word: ByteSet = {
        var s = ByteSet(UInt8(ascii: "a")...UInt8(ascii: "z"))
        s.formUnion(ByteSet(UInt8(ascii: "A")...UInt8(ascii: "Z")))
        s.formUnion(digits)
        s.insert(UInt8(ascii: "_"))
        return s
    }()
    static let space: ByteSet = {
        var s = ByteSet(9...13)
        s.insert(32)
        return s
    }()
}
