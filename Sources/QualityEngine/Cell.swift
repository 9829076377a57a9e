/// What kind of value a cell holds. CSV fields are `text`; JSONL values keep their JSON type.
enum CellKind: UInt8 {
    case null, text, string, number, bool, nested
}

/// One value of the row being observed, as the checks see it: bytes (unquoted, unescaped) that
/// are valid only during the row's observation.
struct Cell {
    var base: UnsafePointer<UInt8>?
    var count: Int
    var kind: CellKind
    /// The bytes are not valid UTF-8 (or a JSON string had a bad escape).
    var invalid: Bool

    static var null: Cell { Cell(base: nil, count: 0, kind: .null, invalid: false) }

    var isNull: Bool { kind == .null }

    /// The bytes, for non-null cells (an empty value is null, so count > 0 or a JSON "").
    @inline(__always)
    var pointer: UnsafePointer<UInt8> { base ?? Cell.emptyPointer }

    /// One constant zero byte, never written.
    nonisolated(unsafe) static let emptyPointer: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()
}

/// CSV's null spellings: empty, `null`, `NULL`, `NA`, `N/A` (exactly as written).
@inline(__always)
func isCSVNull(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    switch n {
    case 0: return true
    case 2: return p[0] == 0x4E && p[1] == 0x41  // NA
    case 3: return p[0] == 0x4E && p[1] == 0x2F && p[2] == 0x41  // N/A
    case 4:
        return (p[0] == 0x6E && p[1] == 0x75 && p[2] == 0x6C && p[3] == 0x6C)  // null
            || (p[0] == 0x4E && p[1] == 0x55 && p[2] == 0x4C && p[3] == 0x4C)  // NULL
    default: return false
    }
}

/// True for `true`/`false` in any case.
func isBooleanText(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    booleanText(p, n) != nil
}

func booleanText(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
    func lower(_ i: Int) -> UInt8 { p[i] | 0x20 }
    if n == 4 && lower(0) == 0x74 && lower(1) == 0x72 && lower(2) == 0x75 && lower(3) == 0x65 { return true }
    if n == 5 && lower(0) == 0x66 && lower(1) == 0x61 && lower(2) == 0x6C && lower(3) == 0x73 && lower(4) == 0x65 { return false }
    return nil
}
