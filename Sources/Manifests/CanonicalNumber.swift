/// A double as RFC 8785 (JCS) writes it, which is ECMAScript's Number-to-String: the shortest
/// digits that read back as the same double, in plain notation from 1e-6 up to 1e21 and in
/// exponent notation (`1e+30`, `1e-7`) outside it; `-0` is `0`.
enum CanonicalNumber {
    static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }  // JSON has no NaN or infinity
        if value == 0 { return "0" }
        let (digits, point) = shortest(abs(value))
        let sign = value < 0 ? "-" : ""
        let k = digits.count
        let n = point
        if k <= n, n <= 21 { return sign + digits + String(repeating: "0", count: n - k) }
        if 0 < n, n <= 21 {
            return sign + digits.prefix(n) + "." + digits.dropFirst(n)
        }
        if -6 < n, n <= 0 { return sign + "0." + String(repeating: "0", count: -n) + digits }
        let exponent = n - 1
        let mantissa = k == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
        return sign + mantissa + "e" + (exponent > 0 ? "+" : "-") + String(abs(exponent))
    }

    /// The shortest round-trip digits of a positive double (no leading or trailing zeros) and the
    /// decimal point's place: the value is 0.d1d2...dk × 10^point. Swift's description already
    /// prints the shortest round-trip digits; this reads them back out of its notation.
    static func shortest(_ value: Double) -> (digits: String, point: Int) {
        let text = value.description  // e.g. "0.001", "123.5", "1.2345e+20", "5e-324"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(String(text[text.index(after: e)...].filter { $0 != "+" })) ?? 0
        }
        let whole = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(whole[0])
        let fraction = whole.count > 1 ? String(whole[1]) : ""
        var digits = integer + fraction
        var point = integer.count + exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits.isEmpty ? "0" : digits, point)
    }
}
