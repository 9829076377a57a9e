/// Dates and timestamps read from bytes.
///
/// - date: `YYYY-MM-DD` (a real calendar day).
/// - timestamp: `YYYY-MM-DD` then `T`, `t` or a space, `HH:MM:SS`, optional `.fraction`, then an
///   optional zone `Z`, `z`, `±HH:MM` or `±HHMM`. Without a zone the time is read as UTC.
enum Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z of a date (at midnight UTC), or nil.
    static func parseDate(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n == 10 else { return nil }
        return datePrefix(p)
    }

    /// Seconds since the epoch of a timestamp, or nil.
    static func parseTimestamp(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n >= 19, let day = datePrefix(p) else { return nil }
        let separator = p[10]
        guard separator == 0x54 || separator == 0x74 || separator == 0x20 else { return nil }
        guard let hour = twoDigits(p, 11), p[13] == 0x3A, let minute = twoDigits(p, 14), p[16] == 0x3A,
            let second = twoDigits(p, 17), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < n && p[i] == 0x2E {
            i += 1
            var scale = 0.1
            let start = i
            while i < n, p[i] &- 0x30 < 10 {
                fraction += Double(p[i] &- 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset: Int64 = 0
        if i < n {
            let z = p[i]
            if z == 0x5A || z == 0x7A {
                i += 1
            } else if z == 0x2B || z == 0x2D {
                guard i + 3 <= n, let hh = twoDigits(p, i + 1) else { return nil }
                var j = i + 3
                if j < n && p[j] == 0x3A { j += 1 }
                guard j + 2 <= n, let mm = twoDigits(p, j), hh < 24, mm < 60 else { return nil }
                offset = (hh * 3600 + mm * 60) * (z == 0x2D ? -1 : 1)
                i = j + 2
            } else {
                return nil
            }
        }
        guard i == n else { return nil }
        return Double(day + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// The first 10 bytes as `YYYY-MM-DD`: seconds at midnight UTC. The caller checks n >= 10.
    private static func datePrefix(_ p: UnsafePointer<UInt8>) -> Int64? {
        guard let y1 = twoDigits(p, 0), let y2 = twoDigits(p, 2), p[4] == 0x2D, let month = twoDigits(p, 5), p[7] == 0x2D,
            let day = twoDigits(p, 8)
        else { return nil }
        let year = y1 * 100 + y2
        guard month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86400
    }

    private static func twoDigits(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int64? {
        let a = p[i] &- 0x30, b = p[i + 1] &- 0x30
        guard a < 10, b < 10 else { return nil }
        return Int64(a) * 10 + Int64(b)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
