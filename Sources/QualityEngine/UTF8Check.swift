/// Strict UTF-8 validation over bytes (no overlong forms, no surrogates, nothing above U+10FFFF).
enum UTF8Check {
    static func isValid(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 {
                i += 1
                continue
            }
            if b >= 0xC2 && b <= 0xDF {
                guard i + 1 < n, p[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if b >= 0xE0 && b <= 0xEF {
                guard i + 2 < n, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80 else { return false }
                if b == 0xE0 && p[i + 1] < 0xA0 { return false }  // overlong
                if b == 0xED && p[i + 1] > 0x9F { return false }  // surrogates
                i += 3
            } else if b >= 0xF0 && b <= 0xF4 {
                guard i + 3 < n, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80, p[i + 3] & 0xC0 == 0x80 else { return false }
                if b == 0xF0 && p[i + 1] < 0x90 { return false }  // overlong
                if b == 0xF4 && p[i + 1] > 0x8F { return false }  // above U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    /// True when any byte is 0x80 or above (then the bytes need validating).
    static func hasHighBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var acc: UInt8 = 0
        for i in 0..<n { acc |= p[i] }
        return acc & 0x80 != 0
    }
}
