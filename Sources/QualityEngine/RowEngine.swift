import Foundation
import Manifests

/// The checks of an evaluation and what they share: the column slots, the cells of the current
/// row, sample rows and issues. The readers (CSV, JSONL) hand it rows; it hands each row to every
/// check, all in one pass.
final class RowEngine {
    private enum Entry {
        case check(Int)
        case fixed(CheckResult)
    }

    private var entries: [Entry] = []
    private(set) var checks: [any RowCheck] = []
    /// Per check: an ERROR that replaced it once the columns were known.
    private var replaced: [CheckResult?] = []
    private var samples: [[SampleRow]] = []
    /// The checks still evaluated row by row (not replaced by an ERROR), with their indices.
    private var active: [(index: Int, check: any RowCheck)] = []

    /// The distinct columns the checks read; a row's values for them are `cells[slot]`.
    private(set) var slotNames: [String] = []
    private var slotIndex: [String: Int] = [:]
    private(set) var cells: UnsafeMutablePointer<Cell>

    /// Scratch space for unquoted / unescaped values of the current row.
    private(set) var arena = ByteBuffer(capacity: 1 << 12)

    private(set) var rows = 0
    /// CSV: the header; JSONL: keys in order of first appearance.
    private(set) var columns: [String] = []
    private var columnSet = Set<String>()
    private(set) var sawHeader = false
    private(set) var issues: [String] = []
    private var issueCount = 0
    let now: Date

    init(rules: [QualityRuleInput], now: Date) {
        self.now = now
        for rule in rules {
            for built in CheckFactory.build(rule) {
                switch built {
                case .check(let check):
                    entries.append(.check(checks.count))
                    checks.append(check)
                    replaced.append(nil)
                    samples.append([])
                case .failed(let result):
                    entries.append(.fixed(result))
                }
            }
        }
        var names: [String] = []
        var index: [String: Int] = [:]
        for check in checks {
            check.slots = check.columns.map { name in
                if let slot = index[name] { return slot }
                index[name] = names.count
                names.append(name)
                return names.count - 1
            }
        }
        slotNames = names
        slotIndex = index
        active = checks.enumerated().map { ($0.offset, $0.element) }
        cells = .allocate(capacity: max(1, names.count))
        cells.initialize(repeating: .null, count: max(1, names.count))
    }

    deinit { cells.deallocate() }

    var slotCount: Int { slotNames.count }

    func slot(for column: String) -> Int { slotIndex[column] ?? -1 }

    func issue(_ text: @autoclosure () -> String) {
        issueCount += 1
        if issues.count < EvaluationReport.issueLimit { issues.append(text()) }
    }

    var reportedIssues: [String] {
        issueCount > issues.count ? issues + ["\(issueCount - issues.count) more issues not listed"] : issues
    }

    // MARK: columns

    /// CSV: the header is known. Checks reading a column it lacks become ERRORs; the schema
    /// check's absent columns get slot -1. Returns, per slot, the header index.
    func bindHeader(_ header: [String]) -> [Int] {
        sawHeader = true
        for name in header { noteColumn(name) }
        var position: [String: Int] = [:]
        for (i, name) in header.enumerated() where position[name] == nil { position[name] = i }
        for (i, check) in checks.enumerated() {
            if check.columnsRequired, let absent = check.columns.first(where: { position[$0] == nil }) {
                replaced[i] = missingColumn(check.info, absent)
            } else {
                check.slots = zip(check.columns, check.slots).map { position[$0.0] == nil ? -1 : $0.1 }
            }
        }
        active = checks.enumerated().filter { replaced[$0.offset] == nil }.map { ($0.offset, $0.element) }
        return slotNames.map { position[$0] ?? -1 }
    }

    /// JSONL: a key seen in a row.
    func noteColumn(_ name: String) {
        if columnSet.insert(name).inserted { columns.append(name) }
    }

    private func missingColumn(_ info: CheckInfo, _ column: String) -> CheckResult {
        let hint = Suggest.closest(to: column, in: columns).map { " (did you mean \"\($0)\"?)" } ?? ""
        let listed = columns.count <= 20 ? columns.joined(separator: ", ") : columns.prefix(20).joined(separator: ", ") + ", ..."
        return info.error("column \"\(column)\" is not in the file\(hint); its columns are: \(listed)")
    }

    // MARK: rows

    /// Observes the row in `cells`; `sample` renders the whole row when a check wants it.
    @inline(__always)
    func observeRow(line: Int, sample: () -> JSONValue) {
        rows += 1
        var rendered: JSONValue?
        for (i, check) in active {
            if check.observe(cells), samples[i].count < 5 {
                if rendered == nil { rendered = sample() }
                samples[i].append(SampleRow(line: line, values: rendered ?? .null))
            }
        }
    }

    /// Resets the cells to null (JSONL rows fill only the keys they have).
    func clearCells() {
        for i in 0..<slotNames.count { cells[i] = .null }
    }

    // MARK: results

    func results(headerKnown: Bool, noHeaderReason: String) -> [CheckResult] {
        let summary = DataSummary(rows: rows, columns: columns, now: now)
        return entries.map { entry in
            switch entry {
            case .fixed(let result): return result
            case .check(let i):
                let check = checks[i]
                if let error = replaced[i] { return error }
                if !check.columns.isEmpty && !headerKnown { return check.info.error(noHeaderReason) }
                if check.columnsRequired, let absent = check.columns.first(where: { !columnSet.contains($0) }) {
                    return missingColumn(check.info, absent)
                }
                return check.result(summary, samples: samples[i])
            }
        }
    }
}
