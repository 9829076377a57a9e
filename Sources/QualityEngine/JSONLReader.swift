import Manifests

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// JSON Lines, read incrementally: one JSON object per line (LF or CRLF); blank lines are
/// skipped; a line that is not an object is an issue and not a row. Values keep their JSON
/// type; nested objects and arrays are compared by their JSON text as written.
final class JSONLReader {
    private let engine: RowEngine
    private let buffer = ByteBuffer(capacity: 1 << 20)
    private var line = 1
    private var rows = 0
    /// The keys of the previous line by position, with their slots: lines usually repeat them.
    private var cachedKeys: [[UInt8]] = []
    private var cachedSlots: [Int] = []

    init(engine: RowEngine) {
        self.engine = engine
    }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
        let p = UnsafePointer(buffer.base)
        let n = buffer.count
        var start = 0
        while start < n, let found = memchr(p + start, 0x0A, n - start) {
            let lf = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - p
            handleLine(p, start, lf)
            start = lf + 1
            line += 1
        }
        buffer.removeFirst(start)
    }

    func finish() {
        if buffer.count > 0 {
            handleLine(UnsafePointer(buffer.base), 0, buffer.count)
            buffer.count = 0
        }
    }

    private func handleLine(_ p: UnsafePointer<UInt8>, _ start: Int, _ lineEnd: Int) {
        var end = lineEnd
        if end > start && p[end - 1] == 0x0D { end -= 1 }
        var i = start
        while i < end && JSONScan.isSpace(p[i]) { i += 1 }
        if i == end { return }  // blank
        let arena = engine.arena
        arena.count = 0
        arena.reserve(2 * (end - start) + 16)
        let validUTF8 = !UTF8Check.hasHighBytes(p + start, end - start) || UTF8Check.isValid(p + start, end - start)
        engine.clearCells()
        let cells = engine.cells
        var position = 0
        let error = JSONScan.object(p, from: i, to: end) { member in
            let slot = slot(p, member, position)
            position += 1
            guard slot >= 0 else { return }
            cells[slot] = cell(p, member, validUTF8: validUTF8)
        }
        if let error {
            engine.issue("line \(line): not a JSON object: \(error)")
            return
        }
        if !validUTF8 { engine.issue("line \(line): invalid UTF-8") }
        let lineNumber = line
        engine.observeRow(line: lineNumber) {
            var members: [JSONMember] = []
            _ = JSONScan.object(p, from: i, to: end) { member in
                members.append(JSONMember(key(p, member), sampleValue(p, member)))
            }
            return .object(members)
        }
    }

    private func key(_ p: UnsafePointer<UInt8>, _ m: JSONScan.Member) -> String {
        if m.keyEscaped {
            let arena = engine.arena
            let out = arena.base + arena.count
            if let k = JSONScan.unescape(p, m.keyStart, m.keyEnd, into: out) {
                return String(decoding: UnsafeBufferPointer(start: out, count: k), as: UTF8.self)
            }
        }
        return String(decoding: UnsafeBufferPointer(start: p + m.keyStart, count: m.keyEnd - m.keyStart), as: UTF8.self)
    }

    /// The slot of a member's key (-1 when no check reads it); notes new keys.
    private func slot(_ p: UnsafePointer<UInt8>, _ m: JSONScan.Member, _ position: Int) -> Int {
        let length = m.keyEnd - m.keyStart
        if !m.keyEscaped, position < cachedKeys.count {
            let cached = cachedKeys[position]
            if cached.count == length,
                cached.withUnsafeBufferPointer({ memcmp($0.baseAddress ?? Cell.emptyPointer, p + m.keyStart, length) == 0 })
            {
                return cachedSlots[position]
            }
        }
        let name = key(p, m)
        engine.noteColumn(name)
        let slot = engine.slot(for: name)
        if !m.keyEscaped {
            let bytes = Array(UnsafeBufferPointer(start: p + m.keyStart, count: length))
            if position < cachedKeys.count {
                cachedKeys[position] = bytes
                cachedSlots[position] = slot
            } else if position == cachedKeys.count {
                cachedKeys.append(bytes)
                cachedSlots.append(slot)
            }
        }
        return slot
    }

    private func cell(_ p: UnsafePointer<UInt8>, _ m: JSONScan.Member, validUTF8: Bool) -> Cell {
        switch m.kind {
        case .null: return .null
        case .string:
            let start = m.valueStart + 1, end = m.valueEnd - 1
            if m.valueEscaped {
                let arena = engine.arena
                let out = arena.base + arena.count
                guard let k = JSONScan.unescape(p, start, end, into: out) else {
                    return Cell(base: p + start, count: end - start, kind: .string, invalid: true)
                }
                arena.count += k
                return Cell(base: UnsafePointer(out), count: k, kind: .string, invalid: !validUTF8 && !UTF8Check.isValid(out, k))
            }
            return Cell(
                base: p + start, count: end - start, kind: .string,
                invalid: !validUTF8 && !UTF8Check.isValid(p + start, end - start))
        case .number, .bool, .nested:
            let kind: CellKind = m.kind == .number ? .number : m.kind == .bool ? .bool : .nested
            let count = m.valueEnd - m.valueStart
            return Cell(
                base: p + m.valueStart, count: count, kind: kind,
                invalid: !validUTF8 && !UTF8Check.isValid(p + m.valueStart, count))
        }
    }

    private func sampleValue(_ p: UnsafePointer<UInt8>, _ m: JSONScan.Member) -> JSONValue {
        let count = m.valueEnd - m.valueStart
        let text = String(decoding: UnsafeBufferPointer(start: p + m.valueStart, count: count), as: UTF8.self)
        switch m.kind {
        case .null: return .null
        case .bool: return .bool(text == "true")
        case .number:
            if let i = Int64(text) { return .int(i) }
            return Double(text).map { .double($0) } ?? .string(text)
        case .nested: return .string(text)
        case .string:
            let arena = engine.arena
            let out = arena.base + arena.count
            if m.valueEscaped, let k = JSONScan.unescape(p, m.valueStart + 1, m.valueEnd - 1, into: out) {
                return .string(String(decoding: UnsafeBufferPointer(start: out, count: k), as: UTF8.self))
            }
            return .string(String(decoding: UnsafeBufferPointer(start: p + m.valueStart + 1, count: count - 2), as: UTF8.self))
        }
    }
}
