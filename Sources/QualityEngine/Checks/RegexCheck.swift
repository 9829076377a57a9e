import Manifests

/// regex: non-null values the pattern does not match anywhere (anchors in the pattern decide
/// whether the whole value must match). A value with invalid UTF-8 never matches.
final class RegexCheck: RowCheck {
    let info: CheckInfo
    let columns: [String]
    var slots: [Int] = []
    private let matcher: PatternMatcher
    private var element = 0
    private var unexpected = 0

    init(info: CheckInfo, column: String, matcher: PatternMatcher) {
        self.info = info
        columns = [column]
        self.matcher = matcher
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool {
        let cell = cells[slots[0]]
        if cell.isNull { return false }
        element += 1
        if !cell.invalid && matcher.matches(cell.pointer, cell.count) { return false }
        unexpected += 1
        return true
    }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        info.counted(
            observed: .int(Int64(unexpected)), element: element, unexpected: unexpected,
            what: "values of \(columns[0]) do not match the pattern", samples: samples)
    }
}
