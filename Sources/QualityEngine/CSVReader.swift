import Manifests

/// RFC 4180 CSV, read incrementally: the first non-blank row is the header; fields may be
/// quoted with `""` escapes and embedded commas and newlines; rows end with LF, CRLF or CR;
/// blank lines are skipped. Chunks may split the input anywhere: the unfinished row is kept and
/// the scanner resumes where it stopped, so no byte is scanned twice.
final class CSVReader {
    private enum State { case fieldBegin, unquoted, quoted, afterQuote }
    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Bits for the bytes that end an unquoted field: comma, LF, CR (all below 64).
    private static let specialMask: UInt64 = 1 << 0x2C | 1 << 0x0A | 1 << 0x0D

    @inline(__always)
    private static func isSpecial(_ b: UInt8) -> Bool {
        b < 64 && (specialMask >> UInt64(b)) & 1 != 0
    }

    private let engine: RowEngine
    private let buffer = ByteBuffer(capacity: 1 << 20)
    private var pos = 0
    private var rowStart = 0
    private var fieldStart = 0
    private var contentEnd = 0
    private var state = State.fieldBegin
    /// Field flags: 1 quoted (clean: content is start+1 ..< end), 2 messy (unescape start ..< end).
    private var flag: UInt8 = 0
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var flags: [UInt8] = []
    private var high: UInt8 = 0
    private var line = 1
    private var rowLine = 1
    private var skipLF = false
    private var header: [String]?
    /// Per slot, the header index of its column (-1 when absent).
    private var slotField: [Int] = []

    init(engine: RowEngine) {
        self.engine = engine
    }

    var headerKnown: Bool { header != nil }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
        scan(final: false)
        // Keep only the unfinished row.
        let drop = rowStart
        if drop > 0 {
            buffer.removeFirst(drop)
            pos -= drop
            rowStart = 0
            fieldStart -= drop
            contentEnd -= drop
            for i in 0..<starts.count {
                starts[i] -= drop
                ends[i] -= drop
            }
        }
    }

    func finish() {
        scan(final: true)
    }

    private func scan(final: Bool) {
        let p = UnsafePointer(buffer.base)
        let n = buffer.count
        var i = pos
        var high = self.high
        outer: while i < n {
            if skipLF {
                skipLF = false
                if p[i] == Self.lf {
                    i += 1
                    rowStart = i
                    continue
                }
            }
            var delimiter: UInt8
            var end: Int
            switch state {
            case .fieldBegin:
                fieldStart = i
                if p[i] == Self.quote {
                    state = .quoted
                    flag = 1
                    i += 1
                    continue
                }
                flag = 0
                state = .unquoted
                continue
            case .unquoted:
                while i < n {
                    let b = p[i]
                    if Self.isSpecial(b) { break }
                    high |= b
                    i += 1
                }
                if i == n { break outer }
                delimiter = p[i]
                end = i
            case .quoted:
                while i < n {
                    let b = p[i]
                    if b == Self.quote { break }
                    if b == Self.lf { line += 1 }
                    high |= b
                    i += 1
                }
                if i == n { break outer }
                contentEnd = i
                i += 1
                state = .afterQuote
                continue
            case .afterQuote:
                let b = p[i]
                if b == Self.quote {
                    flag |= 2
                    state = .quoted
                    i += 1
                    continue
                }
                if !Self.isSpecial(b) {
                    // `"abc"def`: kept as abcdef, noted.
                    engine.issue("line \(line): characters after a closing quote")
                    flag |= 2
                    state = .unquoted
                    continue
                }
                delimiter = b
                end = flag & 2 != 0 ? i : contentEnd
            }
            starts.append(fieldStart)
            ends.append(end)
            flags.append(flag)
            state = .fieldBegin
            if delimiter == Self.comma {
                i += 1
                continue
            }
            // End of row: LF, CRLF or CR.
            self.high = high
            emitRow(p, rowEnd: i)
            high = 0
            if delimiter == Self.cr {
                if i + 1 < n {
                    if p[i + 1] == Self.lf { i += 1 }
                } else {
                    skipLF = true
                }
            }
            i += 1
            line += 1
            rowStart = i
            rowLine = line
        }
        pos = i
        self.high = high
        guard final else { return }
        // End of input: finish the last row.
        switch state {
        case .fieldBegin:
            if starts.isEmpty { return }
            starts.append(n)
            ends.append(n)
            flags.append(0)
        case .unquoted:
            starts.append(fieldStart)
            ends.append(n)
            flags.append(flag)
        case .quoted:
            engine.issue("line \(rowLine): a quoted field is not closed before the end of the file")
            starts.append(fieldStart)
            ends.append(n)
            flags.append(flag | 2)
        case .afterQuote:
            starts.append(fieldStart)
            ends.append(flag & 2 != 0 ? n : contentEnd)
            flags.append(flag)
        }
        state = .fieldBegin
        emitRow(p, rowEnd: n)
        rowStart = n
        pos = n
    }

    /// The field's value: its bytes in place, or unescaped into the engine's arena.
    @inline(__always)
    private func value(_ p: UnsafePointer<UInt8>, _ f: Int) -> (UnsafePointer<UInt8>, Int) {
        let start = starts[f], end = ends[f], flag = flags[f]
        if flag == 0 { return (p + start, end - start) }
        if flag == 1 { return (p + start + 1, end - start - 1) }
        let arena = engine.arena
        let out = arena.base + arena.count
        var j = start, k = 0, inQuotes = false
        while j < end {
            let b = p[j]
            if b == Self.quote {
                if inQuotes && j + 1 < end && p[j + 1] == Self.quote {
                    out[k] = Self.quote
                    k += 1
                    j += 2
                    continue
                }
                inQuotes.toggle()
                j += 1
                continue
            }
            out[k] = b
            k += 1
            j += 1
        }
        arena.count += k
        return (UnsafePointer(out), k)
    }

    private func emitRow(_ p: UnsafePointer<UInt8>, rowEnd: Int) {
        defer {
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            flags.removeAll(keepingCapacity: true)
        }
        let fieldCount = starts.count
        // A blank line: one empty unquoted field.
        if fieldCount == 1 && flags[0] == 0 && starts[0] == ends[0] { return }
        let arena = engine.arena
        arena.count = 0
        // Each messy field may be unescaped up to three times (cells, UTF-8 issue, sample): the
        // arena must not move while the row's cells point into it.
        arena.reserve(3 * (rowEnd - rowStart) + 16)
        guard let header else {
            var names: [String] = []
            for f in 0..<fieldCount {
                var (q, c) = value(p, f)
                if f == 0 && c >= 3 && q[0] == 0xEF && q[1] == 0xBB && q[2] == 0xBF {
                    q += 3
                    c -= 3
                }  // BOM
                names.append(String(decoding: UnsafeBufferPointer(start: q, count: c), as: UTF8.self))
            }
            if high & 0x80 != 0 && !UTF8Check.isValid(p + rowStart, rowEnd - rowStart) {
                engine.issue("line \(rowLine): the header has invalid UTF-8")
            }
            header = names
            slotField = engine.bindHeader(names)
            return
        }
        if fieldCount != header.count {
            engine.issue("line \(rowLine): \(fieldCount) field\(fieldCount == 1 ? "" : "s"), the header has \(header.count)")
        }
        let checkUTF8 = high & 0x80 != 0 && !UTF8Check.isValid(p + rowStart, rowEnd - rowStart)
        let cells = engine.cells
        for s in 0..<slotField.count {
            let f = slotField[s]
            guard f >= 0, f < fieldCount else {
                cells[s] = .null
                continue
            }
            let (q, c) = value(p, f)
            if isCSVNull(q, c) {
                cells[s] = .null
            } else {
                cells[s] = Cell(base: q, count: c, kind: .text, invalid: checkUTF8 && !UTF8Check.isValid(q, c))
            }
        }
        if checkUTF8 {
            var bad = "a field"
            for f in 0..<min(fieldCount, header.count) {
                let (q, c) = value(p, f)
                if !UTF8Check.isValid(q, c) {
                    bad = "column \(header[f])"
                    break
                }
            }
            engine.issue("line \(rowLine): invalid UTF-8 in \(bad)")
        }
        engine.observeRow(line: rowLine) {
            var members: [JSONMember] = []
            for (f, name) in header.enumerated() {
                guard f < fieldCount else {
                    members.append(JSONMember(name, .null))
                    continue
                }
                let (q, c) = value(p, f)
                members.append(
                    JSONMember(
                        name, isCSVNull(q, c) ? .null : .string(String(decoding: UnsafeBufferPointer(start: q, count: c), as: UTF8.self))))
            }
            return .object(members)
        }
    }
}
