import Manifests

/// How many unexpected values a check tolerates: a count (`unexpected <= count` passes) or a
/// percentage (`unexpectedPercent <= P` passes). Absent means a count of 0.
enum Threshold: Equatable {
    case count(Double)
    case percent(Double)

    /// Reads a threshold as written; the error says what was wrong.
    static func parse(_ value: JSONValue?) -> Result<Threshold, SpecError> {
        guard let value, value != .null else { return .success(.count(0)) }
        switch value {
        case .int(let i):
            return i >= 0 ? .success(.count(Double(i))) : .failure(SpecError("threshold \(i) is negative"))
        case .double(let d):
            return d >= 0 && d.isFinite ? .success(.count(d)) : .failure(SpecError("threshold \(d) is not a count"))
        case .string(let s):
            if s.hasSuffix("%") {
                guard StringFormat.percent.accepts(s), let p = Double(s.dropLast()), p <= 100 else {
                    return .failure(SpecError("threshold \"\(s)\" is not a percentage such as \"5%\" (0 to 100)"))
                }
                return .success(.percent(p))
            }
            guard let n = Double(s), n >= 0, n.isFinite, s.allSatisfy({ $0.isNumber || $0 == "." }) else {
                return .failure(SpecError("threshold \"\(s)\" is neither a count nor a percentage such as \"5%\""))
            }
            return .success(.count(n))
        default:
            return .failure(SpecError("threshold must be a count or a percentage such as \"5%\""))
        }
    }

    func passes(unexpected: Int, percent: Double) -> Bool {
        switch self {
        case .count(let c): return Double(unexpected) <= c
        case .percent(let p): return percent <= p
        }
    }

    var text: String {
        switch self {
        case .count(let c): return c == c.rounded() ? String(Int(c)) : String(c)
        case .percent(let p): return (p == p.rounded() ? String(Int(p)) : String(p)) + "%"
        }
    }
}

/// A problem in a check's spec, reported as the check's ERROR result.
struct SpecError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
