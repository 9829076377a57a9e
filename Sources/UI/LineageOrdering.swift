/// The order of the items inside each column of a layered layout, chosen to cross few edges:
/// barycenter sweeps (down: each column by the mean position of its neighbours in the column
/// before; up: by those in the column after), each followed by transpositions of neighbours
/// that cross fewer edges swapped, keeping the best order found by an exact count. Items are
/// numbered `0..<itemCount`; `chains` are the edges as runs of items in consecutive columns;
/// `tieKey` orders items whose barycenters are equal (names, so the result is stable).
struct LineageOrdering: Sendable {
    let start: [[Int]]
    /// Each item's neighbours in the column before and after it (one entry per edge segment).
    let before: [[Int]]
    let after: [[Int]]
    let tieKey: [Int]
    /// The segments between column `k` and `k + 1`, as (item in k, item in k + 1).
    let segments: [[(upper: Int, lower: Int)]]

    init(layers: [[Int]], chains: [[Int]], itemCount: Int, tieKey: [Int]) {
        start = layers
        self.tieKey = tieKey
        var before = [[Int]](repeating: [], count: itemCount)
        var after = [[Int]](repeating: [], count: itemCount)
        var column = [Int](repeating: 0, count: itemCount)
        for (k, layer) in layers.enumerated() { for item in layer { column[item] = k } }
        var segments = [[(upper: Int, lower: Int)]](repeating: [], count: max(layers.count - 1, 0))
        for chain in chains {
            for (upper, lower) in zip(chain, chain.dropFirst()) {
                after[upper].append(lower)
                before[lower].append(upper)
                segments[column[upper]].append((upper, lower))
            }
        }
        self.before = before
        self.after = after
        self.segments = segments
    }

    /// The best order found: at most 24 sweeps, stopping after 4 without improvement or at none.
    func reduced() -> [[Int]] {
        var order = start
        var position = Self.positions(order, count: tieKey.count)
        var best = order
        var fewest = count(order)
        var stale = 0
        for sweep in 0..<24 where fewest > 0 && stale < 4 {
            let down = sweep % 2 == 0
            for k in down ? Array(order.indices.dropFirst()) : Array(order.indices.dropLast().reversed()) {
                order[k] = arranged(order[k], by: down ? before : after, position: position)
                for (i, item) in order[k].enumerated() { position[item] = i }
            }
            transpose(&order, position: &position)
            let crossings = count(order)
            if crossings < fewest {
                (best, fewest, stale) = (order, crossings, 0)
            } else {
                stale += 1
            }
        }
        return best
    }

    /// A column sorted by the mean position of each item's neighbours on one side; items without
    /// neighbours there keep their places.
    func arranged(_ layer: [Int], by neighbours: [[Int]], position: [Int]) -> [Int] {
        var movable: [(item: Int, key: Double)] = []
        for item in layer where !neighbours[item].isEmpty {
            let sum = neighbours[item].reduce(0) { $0 + position[$1] }
            movable.append((item, Double(sum) / Double(neighbours[item].count)))
        }
        movable.sort { ($0.key, tieKey[$0.item]) < ($1.key, tieKey[$1.item]) }
        var next = movable.makeIterator()
        return layer.map { neighbours[$0].isEmpty ? $0 : next.next()!.item }
    }

    /// Swaps neighbours in a column while that crosses fewer edges (on both sides), a few rounds.
    func transpose(_ order: inout [[Int]], position: inout [Int]) {
        for _ in 0..<4 {
            var improved = false
            for k in order.indices where order[k].count > 1 {
                for i in 0..<(order[k].count - 1) {
                    let (u, v) = (order[k][i], order[k][i + 1])
                    let kept = pairCrossings(u, v, position), swapped = pairCrossings(v, u, position)
                    if swapped < kept {
                        order[k].swapAt(i, i + 1)
                        (position[u], position[v]) = (i + 1, i)
                        improved = true
                    }
                }
            }
            if !improved { break }
        }
    }

    /// Crossings among the edges of `u` and `v` (both sides) when `u` is just above `v`: pairs
    /// of their neighbours in the wrong order (most items are bend points with one on each side).
    func pairCrossings(_ u: Int, _ v: Int, _ position: [Int]) -> Int {
        var total = 0
        for p in before[u] { for q in before[v] where position[p] > position[q] { total += 1 } }
        for p in after[u] { for q in after[v] where position[p] > position[q] { total += 1 } }
        return total
    }

    /// The exact number of crossings of an order: for each pair of neighbouring columns, the
    /// segments sorted by their upper end, then the inversions of their lower ends (a Fenwick
    /// tree), O(E log V).
    func count(_ order: [[Int]]) -> Int {
        let position = Self.positions(order, count: tieKey.count)
        var total = 0
        for (k, between) in segments.enumerated() where between.count > 1 {
            let sorted = between.map { (position[$0.upper], position[$0.lower]) }.sorted { $0 < $1 }
            let size = order[k + 1].count
            var tree = [Int](repeating: 0, count: size + 1)
            for (seen, (_, lower)) in sorted.enumerated() {
                // Segments seen before whose lower end is below this one's cross it.
                var atOrAbove = 0, i = lower + 1
                while i > 0 {
                    atOrAbove += tree[i]
                    i -= i & -i
                }
                total += seen - atOrAbove
                i = lower + 1
                while i <= size {
                    tree[i] += 1
                    i += i & -i
                }
            }
        }
        return total
    }

    static func positions(_ order: [[Int]], count: Int) -> [Int] {
        var position = [Int](repeating: 0, count: count)
        for layer in order { for (i, item) in layer.enumerated() { position[item] = i } }
        return position
    }
}
