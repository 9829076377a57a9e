import Foundation
import Manifests

/// allowedValues: non-null values outside the set. Strings compare exactly (bytes); numbers
/// numerically (1 allows "1", "1.0" and "1e0"); booleans case-insensitively ("true", "TRUE").
/// A value with invalid UTF-8 is never allowed.
final class AllowedValuesCheck: RowCheck {
    let info: CheckInfo
    let columns: [String]
    var slots: [Int] = []
    private let strings: [[UInt8]]
    private let hashed: HashSet128?
    private let numbers: [Double]
    private let booleans: [Bool]
    private var element = 0
    private var unexpected = 0

    init(info: CheckInfo, column: String, values: [JSONValue]) throws {
        self.info = info
        columns = [column]
        var strings: [[UInt8]] = [], numbers: [Double] = [], booleans: [Bool] = []
        for value in values {
            switch value {
            case .string(let s): strings.append(Array(s.utf8))
            case .int, .double: if let n = value.numberValue { numbers.append(n) }
            case .bool(let b): booleans.append(b)
            default: throw SpecError("allowedValues.values may hold only strings, numbers and booleans")
            }
        }
        self.strings = strings
        self.numbers = numbers
        self.booleans = booleans
        if strings.count > 8 {
            var set = HashSet128(capacity: strings.count)
            for s in strings { _ = set.insert(Self.hash(s)) }
            hashed = set
        } else {
            hashed = nil
        }
    }

    private static func hash(_ bytes: [UInt8]) -> Hash128 {
        var h = Hash128()
        bytes.withUnsafeBufferPointer { h.add($0.baseAddress ?? Cell.emptyPointer, $0.count, tag: 0) }
        return h.finished()
    }

    func observe(_ cells: UnsafePointer<Cell>) -> Bool {
        let cell = cells[slots[0]]
        if cell.isNull { return false }
        element += 1
        if !cell.invalid && allowed(cell) { return false }
        unexpected += 1
        return true
    }

    private func allowed(_ cell: Cell) -> Bool {
        let p = cell.pointer, n = cell.count
        if let hashed {
            var h = Hash128()
            h.add(p, n, tag: 0)
            if hashed.contains(h.finished()) { return true }
        } else {
            for s in strings where s.count == n {
                if s.withUnsafeBufferPointer({ memcmp($0.baseAddress ?? Cell.emptyPointer, p, n) == 0 }) { return true }
            }
        }
        if !numbers.isEmpty, cell.kind != .bool, cell.kind != .nested, let value = ByteNumber.parseDouble(p, n) {
            if numbers.contains(value) { return true }
        }
        if !booleans.isEmpty, let value = booleanText(p, n) {
            if booleans.contains(value) { return true }
        }
        return false
    }

    func result(_ summary: DataSummary, samples: [SampleRow]) -> CheckResult {
        info.counted(
            observed: .int(Int64(unexpected)), element: element, unexpected: unexpected,
            what: "values of \(columns[0]) are not allowed", samples: samples)
    }
}
