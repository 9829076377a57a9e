import Manifests

/// missing: null values in a column; elementCount is the number of rows.
final class MissingCheck: RowCheck {
    let info: CheckInfo
    let columns: [String]
    var slots: [Int] = []
    private var unexpected = 0

    init(info: CheckInfo, column: String) {
        self.info = info
        columns = [column]
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool {
        if cells[slots[0]].isNull {
            unexpected += 1
            return true
        }
        return false
    }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        info.counted(
            observed: .int(Int64(unexpected)), element: summary.rows, unexpected: unexpected,
            what: "values of \(columns[0]) are null", samples: samples)
    }
}
