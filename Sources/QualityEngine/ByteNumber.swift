#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Numbers read straight from bytes: `[+-]digits[.digits][(e|E)[+-]digits]`, also `.5` and `5.`;
/// no spaces, no `inf`/`nan`, no hexadecimal.
enum ByteNumber {
    private static let powers: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// True when the bytes are an integer: an optional sign and 1 to 18 digits, or more digits
    /// that still fit in 64 bits.
    static func isInteger(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        if n > 0 && (p[0] == 0x2D || p[0] == 0x2B) { i = 1 }
        guard i < n else { return false }
        var digits = 0
        while i < n {
            guard p[i] &- 0x30 < 10 else { return false }
            i += 1
            digits += 1
        }
        if digits <= 18 { return true }
        return parseInt(p, n) != nil
    }

    static func parseInt(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var i = 0
        var negative = false
        if n > 0 && (p[0] == 0x2D || p[0] == 0x2B) {
            negative = p[0] == 0x2D
            i = 1
        }
        guard i < n else { return nil }
        var value: Int64 = 0
        while i < n {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = s
            i += 1
        }
        return value
    }

    /// The number the bytes spell, or nil. Exact (correctly rounded) on the fast path of up to
    /// 15 significant digits and small exponents; strtod otherwise.
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n > 0, n < 512 else { return nil }
        var i = 0
        var negative = false
        if p[0] == 0x2D || p[0] == 0x2B {
            negative = p[0] == 0x2D
            i = 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var exponent = 0
        while i < n, p[i] &- 0x30 < 10 {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                if mantissa > 0 { significant += 1 }
            } else {
                exponent += 1
            }
            digits += 1
            i += 1
        }
        if i < n && p[i] == 0x2E {
            i += 1
            while i < n, p[i] &- 0x30 < 10 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                    if mantissa > 0 { significant += 1 }
                    exponent -= 1
                }
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            var expNegative = false
            if i < n && (p[i] == 0x2D || p[i] == 0x2B) {
                expNegative = p[i] == 0x2D
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < n, p[i] &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if significant <= 15 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= powers[-exponent] } else { value *= powers[exponent] }
            return negative ? -value : value
        }
        // Slow path: strtod over a NUL-terminated copy (the syntax is already checked).
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            for j in 0..<n { base[j] = CChar(bitPattern: p[j]) }
            base[n] = 0
            let value = strtod(base, nil)
            return value.isFinite ? value : nil
        }
    }
}
