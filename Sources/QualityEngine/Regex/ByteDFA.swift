/// A regular expression compiled to a Thompson NFA over bytes and run as a lazily built DFA:
/// each input byte costs one table lookup once its transition is known. Search semantics (the
/// pattern may match anywhere unless anchored); `$` also matches before a final `\n`, like ICU.
/// Confined to one thread at a time (the transition table grows while matching).
final class ByteDFA {
    private enum NState {
        case byte(ByteSet, Int)
        case split(Int, Int)
        case start(Int)  // ^: passes only at position 0
        case end(Int)  // $: passes only at the end
        case accept
    }

    private var nfa: [NState] = []
    private var nfaStart = 0
    private static let nfaLimit = 50_000
    private static let stateLimit = 4096

    // DFA states: members (sorted NFA ids); per state a flags byte and 256 transitions
    // (-1 = not built yet), in manually managed memory so the matching loop runs on raw pointers.
    private var members: [[Int32]] = []
    private var index: [[Int32]: Int32] = [:]
    private var table: UnsafeMutablePointer<Int32>
    private var flags: UnsafeMutablePointer<UInt8>
    private var capacity = 0
    @inline(__always) private static var acceptNow: UInt8 { 1 }
    @inline(__always) private static var acceptAtEnd: UInt8 { 2 }
    @inline(__always) private static var deadState: UInt8 { 4 }
    private var initial: Int32 = 0
    /// Closure of the start, not at position 0: added after every byte (search semantics).
    private var restart: [Int32] = []

    deinit {
        table.deallocate()
        flags.deallocate()
    }

    init(pattern: String) throws {
        capacity = 16
        table = .allocate(capacity: capacity * 256)
        flags = .allocate(capacity: capacity)
        let tree = try RegexParser.parse(pattern)
        let accept = add(.accept)
        nfaStart = try compile(tree, next: accept)
        restart = closure([Int32(nfaStart)], atStart: false)
        initial = state(for: closure([Int32(nfaStart)], atStart: true))
    }

    // MARK: NFA

    private func add(_ s: NState) -> Int {
        nfa.append(s)
        return nfa.count - 1
    }

    private func compile(_ node: RegexNode, next: Int) throws -> Int {
        guard nfa.count < Self.nfaLimit else { throw RegexUnsupported(reason: "pattern too large") }
        switch node {
        case .bytes(let set): return add(.byte(set, next))
        case .sequence(let items):
            var current = next
            for item in items.reversed() { current = try compile(item, next: current) }
            return current
        case .alternation(let branches):
            var entries: [Int] = []
            for branch in branches { entries.append(try compile(branch, next: next)) }
            var current = entries[entries.count - 1]
            for entry in entries.dropLast().reversed() { current = add(.split(entry, current)) }
            return current
        case .repeated(let inner, let min, let max):
            var current = next
            if let max {
                for _ in 0..<(max - min) { current = add(.split(try compile(inner, next: current), next)) }
            } else {
                let loop = add(.split(-1, next))
                let body = try compile(inner, next: loop)
                nfa[loop] = .split(body, next)
                current = loop
            }
            for _ in 0..<min { current = try compile(inner, next: current) }
            return current
        case .startAnchor: return add(.start(next))
        case .endAnchor: return add(.end(next))
        }
    }

    /// The byte-consuming states, `$` states and accept reachable without input.
    private func closure(_ seeds: [Int32], atStart: Bool, throughEnd: Bool = false) -> [Int32] {
        var seen = Set<Int32>()
        var stack = seeds
        var out: [Int32] = []
        while let s = stack.popLast() {
            guard seen.insert(s).inserted else { continue }
            switch nfa[Int(s)] {
            case .byte, .accept: out.append(s)
            case .split(let a, let b):
                stack.append(Int32(b))
                stack.append(Int32(a))
            case .start(let n): if atStart { stack.append(Int32(n)) }
            case .end(let n):
                out.append(s)
                if throughEnd { stack.append(Int32(n)) }
            }
        }
        return out.sorted()
    }

    private func containsAccept(_ set: [Int32]) -> Bool {
        set.contains { if case .accept = nfa[Int($0)] { return true } else { return false } }
    }

    // MARK: DFA

    private func state(for set: [Int32]) -> Int32 {
        if let known = index[set] { return known }
        let id = members.count
        if id == capacity {
            let grown = capacity * 2
            let newTable = UnsafeMutablePointer<Int32>.allocate(capacity: grown * 256)
            newTable.update(from: table, count: capacity * 256)
            table.deallocate()
            table = newTable
            let newFlags = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            newFlags.update(from: flags, count: capacity)
            flags.deallocate()
            flags = newFlags
            capacity = grown
        }
        members.append(set)
        var f: UInt8 = 0
        if containsAccept(set) { f |= Self.acceptNow | Self.acceptAtEnd }
        if containsAccept(closure(set, atStart: false, throughEnd: true)) { f |= Self.acceptAtEnd }
        if set.isEmpty { f |= Self.deadState }
        flags[id] = f
        (table + id * 256).initialize(repeating: -1, count: 256)
        index[set] = Int32(id)
        return Int32(id)
    }

    private func step(_ from: Int32, _ byte: UInt8) -> Int32 {
        var next: [Int32] = []
        for m in members[Int(from)] {
            if case .byte(let set, let target) = nfa[Int(m)], set.contains(byte) { next.append(Int32(target)) }
        }
        var set = closure(next, atStart: false)
        if !restart.isEmpty {
            set = Array(Set(set).union(restart)).sorted()
        }
        if members.count >= Self.stateLimit && index[set] == nil {
            // Too many states: start the cache afresh (correct, only slower).
            members.removeAll(keepingCapacity: true)
            index.removeAll(keepingCapacity: true)
            initial = state(for: closure([Int32(nfaStart)], atStart: true))
            return state(for: set)
        }
        let target = state(for: set)
        table[Int(from) * 256 + Int(byte)] = target
        return target
    }

    /// Whether the pattern matches somewhere in the bytes.
    func matches(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var s = Int(initial)
        var table = self.table, flags = self.flags
        if flags[s] & Self.acceptNow != 0 { return true }
        var i = 0
        while i < n {
            let b = p[i]
            // `$` also matches before a final newline.
            if i == n - 1 && b == 10 && flags[s] & Self.acceptAtEnd != 0 { return true }
            var t = table[s &* 256 &+ Int(b)]
            if t < 0 {
                t = step(Int32(s), b)
                table = self.table
                flags = self.flags
            }
            s = Int(t)
            i += 1
            let f = flags[s]
            if f != 0 {
                if f & Self.acceptNow != 0 { return true }
                if f & Self.deadState != 0 { return false }
            }
        }
        return flags[s] & Self.acceptAtEnd != 0
    }
}
