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

    // DFA states: members (sorted NFA ids), flags, and 256 transitions each (-1 = not built).
    private var members: [[Int32]] = []
    private var acceptsNow: [Bool] = []
    private var acceptsAtEnd: [Bool] = []
    private var dead: [Bool] = []
    private var transitions: [Int32] = []
    private var index: [[Int32]: Int32] = [:]
    private var initial: Int32 = 0
    /// Closure of the start, not at position 0: added after every byte (search semantics).
    private var restart: [Int32] = []

    init(pattern: String) throws {
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
        let id = Int32(members.count)
        members.append(set)
        acceptsNow.append(containsAccept(set))
        acceptsAtEnd.append(containsAccept(closure(set, atStart: false, throughEnd: true)))
        dead.append(set.isEmpty)
        transitions.append(contentsOf: repeatElement(-1, count: 256))
        index[set] = id
        return id
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
            acceptsNow.removeAll(keepingCapacity: true)
            acceptsAtEnd.removeAll(keepingCapacity: true)
            dead.removeAll(keepingCapacity: true)
            transitions.removeAll(keepingCapacity: true)
            index.removeAll(keepingCapacity: true)
            initial = state(for: closure([Int32(nfaStart)], atStart: true))
            return state(for: set)
        }
        let target = state(for: set)
        transitions[Int(from) * 256 + Int(byte)] = target
        return target
    }

    /// Whether the pattern matches somewhere in the bytes.
    func matches(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var s = initial
        if acceptsNow[Int(s)] { return true }
        var i = 0
        while i < n {
            // Follow known transitions without leaving the loop.
            let known: Int32? = transitions.withUnsafeBufferPointer { table -> Int32? in
                while i < n {
                    let b = p[i]
                    if i == n - 1 && b == 10 && acceptsAtEnd[Int(s)] { return nil }
                    let t = table[Int(s) &* 256 &+ Int(b)]
                    if t < 0 { return s }
                    s = t
                    i += 1
                    if acceptsNow[Int(s)] { return nil }
                    if dead[Int(s)] { return -2 }
                }
                return s
            }
            guard let known else { return true }
            if known == -2 { return false }
            if i >= n { break }
            s = step(s, p[i])
            i += 1
            if acceptsNow[Int(s)] { return true }
            if dead[Int(s)] { return false }
        }
        return acceptsAtEnd[Int(s)]
    }
}
