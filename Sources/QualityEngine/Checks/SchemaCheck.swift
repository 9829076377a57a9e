import Manifests

/// The logical types a schema check knows, and which values have them.
enum ColumnType: String, CaseIterable {
    case string, integer, number, boolean, date, timestamp

    /// CSV text is typed by its syntax; JSONL values by their JSON type (an integer is a JSON
    /// number without fraction or exponent; dates and timestamps are JSON strings).
    func accepts(_ cell: Cell) -> Bool {
        if cell.invalid { return false }
        let p = cell.pointer, n = cell.count
        switch (self, cell.kind) {
        case (.string, .text), (.string, .string): return true
        case (.integer, .text), (.integer, .number): return ByteNumber.isInteger(p, n)
        case (.number, .text): return ByteNumber.parseDouble(p, n) != nil
        case (.number, .number): return true
        case (.boolean, .text): return isBooleanText(p, n)
        case (.boolean, .bool): return true
        case (.date, .text), (.date, .string): return Timestamp.parseDate(p, n) != nil
        case (.timestamp, .text), (.timestamp, .string): return Timestamp.parseTimestamp(p, n) != nil
        default: return false
        }
    }
}

/// schema: expected columns present, no others unless allowExtraColumns (default true), and the
/// non-null values of each column of its type. unexpected counts values of the wrong type;
/// a missing or extra column fails the check whatever the threshold.
final class SchemaCheck: RowCheck {
    let info: CheckInfo
    let columns: [String]
    let columnsRequired = false
    var slots: [Int] = []
    private let types: [ColumnType]
    private let allowExtraColumns: Bool
    private var element = 0
    private var wrong: [Int]

    init(info: CheckInfo, columns: [(String, ColumnType)], allowExtraColumns: Bool) {
        self.info = info
        self.columns = columns.map(\.0)
        types = columns.map(\.1)
        self.allowExtraColumns = allowExtraColumns
        wrong = Array(repeating: 0, count: columns.count)
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool {
        var unexpected = false
        for i in 0..<slots.count {
            let slot = slots[i]
            guard slot >= 0 else { continue }
            let cell = cells[slot]
            if cell.isNull { continue }
            element += 1
            if !types[i].accepts(cell) {
                wrong[i] += 1
                unexpected = true
            }
        }
        return unexpected
    }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        let present = Set(summary.columns)
        let missing = columns.filter { !present.contains($0) }
        let expected = Set(columns)
        let extra = summary.columns.filter { !expected.contains($0) }
        let unexpected = wrong.reduce(0, +)
        let percent = element > 0 ? Double(unexpected) * 100 / Double(element) : 0
        var wrongTypes: [JSONMember] = []
        for (i, count) in wrong.enumerated() where count > 0 {
            wrongTypes.append(JSONMember(columns[i], ["expected": .string(types[i].rawValue), "unexpected": .int(Int64(count))]))
        }
        let observed: JSONValue = [
            "missingColumns": .array(missing.map { .string($0) }),
            "extraColumns": .array(extra.map { .string($0) }),
            "wrongTypes": .object(wrongTypes),
        ]
        var problems: [String] = []
        if !missing.isEmpty { problems.append("missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))") }
        if !extra.isEmpty && !allowExtraColumns {
            problems.append("extra column\(extra.count == 1 ? "" : "s") \(extra.joined(separator: ", ")) (allowExtraColumns is false)")
        }
        let typesPass = info.threshold.passes(unexpected: unexpected, percent: percent)
        let counts =
            "\(unexpected) of \(element) values have the wrong type (\(CheckInfo.percentText(percent))); threshold \(info.threshold.text)"
        let message = problems.isEmpty ? counts : problems.joined(separator: "; ") + "; " + counts
        return info.judged(
            passes: problems.isEmpty && typesPass, observed: observed, element: element, unexpected: unexpected,
            percent: percent, message: message, samples: samples)
    }
}
