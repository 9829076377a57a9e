import Manifests

/// rowCount: the number of rows lies within [min, max].
final class RowCountCheck: RowCheck {
    let info: CheckInfo
    let min: Int?
    let max: Int?
    let columns: [String] = []
    var slots: [Int] = []

    init(info: CheckInfo, min: Int?, max: Int?) {
        self.info = info
        self.min = min
        self.max = max
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool { false }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        let rows = summary.rows
        let passes = (min.map { rows >= $0 } ?? true) && (max.map { rows <= $0 } ?? true)
        var bounds: [String] = []
        if let min { bounds.append("at least \(min)") }
        if let max { bounds.append("at most \(max)") }
        return info.judged(
            passes: passes, observed: .int(Int64(rows)), element: rows, unexpected: 0,
            message: "\(rows) rows; expected \(bounds.joined(separator: " and "))", samples: [])
    }
}
