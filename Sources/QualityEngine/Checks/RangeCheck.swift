import Manifests

/// range: non-null values that are not numbers or lie outside [min, max]. Observes the smallest
/// and largest numbers seen.
final class RangeCheck: RowCheck {
    let info: CheckInfo
    let columns: [String]
    var slots: [Int] = []
    private let min: Double
    private let max: Double
    private var element = 0
    private var unexpected = 0
    private var smallest = Double.infinity
    private var largest = -Double.infinity

    init(info: CheckInfo, column: String, min: Double?, max: Double?) {
        self.info = info
        columns = [column]
        self.min = min ?? -.infinity
        self.max = max ?? .infinity
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool {
        let cell = cells[slots[0]]
        if cell.isNull { return false }
        element += 1
        guard cell.kind != .bool, cell.kind != .nested, let value = ByteNumber.parseDouble(cell.pointer, cell.count) else {
            unexpected += 1
            return true
        }
        if value < smallest { smallest = value }
        if value > largest { largest = value }
        if value < min || value > max {
            unexpected += 1
            return true
        }
        return false
    }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        let observed: JSONValue = smallest <= largest ? ["min": .double(smallest), "max": .double(largest)] : ["min": .null, "max": .null]
        return info.counted(
            observed: observed, element: element, unexpected: unexpected,
            what: "values of \(columns[0]) are not numbers within bounds", samples: samples)
    }
}
