import Manifests

/// unique: rows whose non-null tuple of values appeared in an earlier row. Rows with a null in
/// any of the columns are not counted. Keeps a 128-bit hash per distinct tuple, not the values.
final class UniqueCheck: RowCheck {
    let info: CheckInfo
    let columns: [String]
    var slots: [Int] = []
    private var seen = HashSet128()
    private var element = 0
    private var unexpected = 0

    init(info: CheckInfo, columns: [String]) {
        self.info = info
        self.columns = columns
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool {
        var hash = Hash128()
        for slot in slots {
            let cell = cells[slot]
            if cell.isNull { return false }
            // JSON strings and CSV text compare alike; other JSON values by their text and type.
            let tag: UInt8 = cell.kind == .string ? CellKind.text.rawValue : cell.kind.rawValue
            hash.add(cell.pointer, cell.count, tag: tag)
        }
        element += 1
        if !seen.insert(hash.finished()) {
            unexpected += 1
            return true
        }
        return false
    }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        info.counted(
            observed: .int(Int64(unexpected)), element: element, unexpected: unexpected,
            what: "rows repeat an earlier value of \(columns.joined(separator: ", "))", samples: samples)
    }
}
