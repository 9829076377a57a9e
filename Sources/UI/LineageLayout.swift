/// A layered ("Sugiyama") layout of a directed graph around a centre node, as the lineage page
/// draws it: columns left to right with edges pointing right where the graph allows it (what a
/// node came from to its left, what came from it to its right), a bend point in every column an
/// edge passes so that no edge is drawn through a box, and the order inside each column chosen to
/// cross few edges. Pure and deterministic: the same graph, in any input order, gives the same
/// layout (ties are broken by name).
///
/// Steps: cycles are broken by turning the back edges of a depth-first walk that starts upstream
/// of the centre (those edges are drawn right to left, `Route.reversed`); columns are the longest
/// path from the sources, then each node is moved towards the side with more of its edges while
/// every edge still spans at least one column (the centre stays); the order starts by name and
/// is improved by barycenter sweeps down and up with adjacent transpositions, keeping the best
/// order found by an exact crossing count (`LineageOrdering`).
struct LineageLayout: Sendable, Equatable {
    /// A place in the layout: the column (0 is the leftmost) and the position in it (0 is the top).
    struct Place: Sendable, Hashable {
        var layer: Int
        var order: Int
    }

    /// One thing in a column: a node, or the `index`th bend point of the edge `edge` (input order).
    enum Item: Sendable, Hashable {
        case node(String)
        case bend(edge: Int, index: Int)
    }

    /// How one input edge is drawn.
    struct Route: Sendable, Equatable {
        var from: String
        var to: String
        /// Drawn right to left: the edge closes a cycle.
        var reversed: Bool
        /// From a node to itself.
        var isLoop: Bool
        /// The bend points, one per column between the two ends, from the left end to the right end.
        var bends: [Place]
    }

    /// The columns, each top to bottom.
    let layers: [[Item]]
    /// Each node's place.
    let places: [String: Place]
    /// One per input edge, in input order.
    let routes: [Route]
    /// The centre's column (0 when the centre is not in the graph).
    let centerLayer: Int
    /// Crossings between columns of the order chosen, counted exactly, and of the name-sorted
    /// order the reduction started from (both with the bend points).
    let crossings: Int
    let nameSortedCrossings: Int

    init(nodes: [String], edges: [(from: String, to: String)], center: String) {
        var all = Set(nodes)
        for edge in edges { all.formUnion([edge.from, edge.to]) }
        let names = all.sorted()
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() { index[name] = i }
        let pairs = edges.map { (from: index[$0.from]!, to: index[$0.to]!) }
        let centre = index[center]
        let reversed = Self.cycleBreaking(count: names.count, pairs: pairs, center: centre)
        // The graph without cycles: each edge from its left end to its right end.
        let ends = pairs.indices.map {
            reversed[$0] ? (left: pairs[$0].to, right: pairs[$0].from) : (left: pairs[$0].from, right: pairs[$0].to)
        }
        let column = Self.columns(
            count: names.count, ends: ends.filter { $0.left != $0.right }.sorted { ($0.left, $0.right) < ($1.left, $1.right) },
            center: centre)

        // Bend points in every column an edge passes; items are nodes first, then bends by edge.
        var itemColumn = column
        var tieKey = Array(0..<names.count)
        var chains: [[Int]] = []
        var bendOwner: [(edge: Int, index: Int)] = []
        let byName = pairs.indices.sorted { (pairs[$0].from, pairs[$0].to, $0) < (pairs[$1].from, pairs[$1].to, $1) }
        var chainOf = [Int](repeating: -1, count: pairs.count)
        for edge in byName where ends[edge].left != ends[edge].right {
            var chain = [ends[edge].left]
            for c in (column[ends[edge].left] + 1)..<column[ends[edge].right] {
                chain.append(itemColumn.count)
                itemColumn.append(c)
                tieKey.append(tieKey.count)
                bendOwner.append((edge, chain.count - 2))
            }
            chain.append(ends[edge].right)
            chainOf[edge] = chains.count
            chains.append(chain)
        }
        let layerCount = (itemColumn.max() ?? -1) + 1
        var start: [[Int]] = Array(repeating: [], count: layerCount)
        for item in itemColumn.indices { start[itemColumn[item]].append(item) }  // by tie key: names, then bends
        let ordering = LineageOrdering(layers: start, chains: chains, itemCount: itemColumn.count, tieKey: tieKey)
        let best = ordering.reduced()

        var position = [Int](repeating: 0, count: itemColumn.count)
        for layer in best { for (i, item) in layer.enumerated() { position[item] = i } }
        func item(_ i: Int) -> Item {
            i < names.count ? .node(names[i]) : .bend(edge: bendOwner[i - names.count].edge, index: bendOwner[i - names.count].index)
        }
        layers = best.map { $0.map(item) }
        var places: [String: Place] = [:]
        for (i, name) in names.enumerated() { places[name] = Place(layer: column[i], order: position[i]) }
        self.places = places
        routes = pairs.indices.map { edge in
            let chain = chainOf[edge] < 0 ? [] : chains[chainOf[edge]]
            return Route(
                from: edges[edge].from, to: edges[edge].to, reversed: reversed[edge], isLoop: pairs[edge].from == pairs[edge].to,
                bends: chain.dropFirst().dropLast().map { Place(layer: itemColumn[$0], order: position[$0]) })
        }
        centerLayer = centre.map { column[$0] } ?? 0
        crossings = ordering.count(best)
        nameSortedCrossings = ordering.count(start)
    }

    /// Which edges to draw right to left so that the rest has no cycle: the back edges of a
    /// depth-first walk that starts at the nodes furthest upstream of the centre (by a walk from
    /// the centre, +1 along an edge and -1 against it), then by name.
    static func cycleBreaking(count: Int, pairs: [(from: Int, to: Int)], center: Int?) -> [Bool] {
        var outgoing = [[(node: Int, edge: Int)]](repeating: [], count: count)
        var incoming = [[(node: Int, edge: Int)]](repeating: [], count: count)
        for (edge, pair) in pairs.enumerated() {
            outgoing[pair.from].append((pair.to, edge))
            incoming[pair.to].append((pair.from, edge))
        }
        for node in 0..<count {
            outgoing[node].sort { ($0.node, $0.edge) < ($1.node, $1.edge) }
            incoming[node].sort { ($0.node, $0.edge) < ($1.node, $1.edge) }
        }
        var hint = [Int](repeating: 0, count: count)
        if let center {
            var seen = [Bool](repeating: false, count: count)
            seen[center] = true
            var queue = [center]
            var head = 0
            while head < queue.count {
                let node = queue[head]
                head += 1
                for (next, step) in outgoing[node].map({ ($0.node, 1) }) + incoming[node].map({ ($0.node, -1) }) where !seen[next] {
                    seen[next] = true
                    hint[next] = hint[node] + step
                    queue.append(next)
                }
            }
        }
        for node in 0..<count { outgoing[node].sort { (hint[$0.node], $0.node, $0.edge) < (hint[$1.node], $1.node, $1.edge) } }
        var reversed = [Bool](repeating: false, count: pairs.count)
        var state = [UInt8](repeating: 0, count: count)  // 0 not seen, 1 on the walk's stack, 2 done
        for root in (0..<count).sorted(by: { (hint[$0], $0) < (hint[$1], $1) }) where state[root] == 0 {
            var stack = [(node: root, next: 0)]
            state[root] = 1
            while let top = stack.last {
                if top.next == outgoing[top.node].count {
                    state[top.node] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let (next, edge) = outgoing[top.node][top.next]
                switch state[next] {
                case 0:
                    state[next] = 1
                    stack.append((next, 0))
                case 1: reversed[edge] = next != top.node
                default: break
                }
            }
        }
        return reversed
    }

    /// Columns for a graph without cycles: the longest path from a source, then, node by node in
    /// turn, each moved as far as its edges allow towards the side where it has more edges (so
    /// a source sits next to what it feeds), which shortens the edges in total every time; the
    /// centre stays where it is. Every edge spans at least one column. Normalised to start at 0.
    static func columns(count: Int, ends: [(left: Int, right: Int)], center: Int?) -> [Int] {
        var before = [[Int]](repeating: [], count: count)
        var after = [[Int]](repeating: [], count: count)
        var waiting = [Int](repeating: 0, count: count)
        for end in ends {
            after[end.left].append(end.right)
            before[end.right].append(end.left)
            waiting[end.right] += 1
        }
        var topological = (0..<count).filter { waiting[$0] == 0 }
        var head = 0
        var column = [Int](repeating: 0, count: count)
        while head < topological.count {
            let node = topological[head]
            head += 1
            for next in after[node] {
                column[next] = max(column[next], column[node] + 1)
                waiting[next] -= 1
                if waiting[next] == 0 { topological.append(next) }
            }
        }
        // Each move shortens the edges in total by at least one column, so this ends; the bound
        // only keeps a pathological graph from taking long.
        for pass in 0..<(4 * count + 8) {
            var moved = false
            for node in pass % 2 == 0 ? topological : topological.reversed() where node != center {
                let lowest = before[node].map { column[$0] + 1 }.max()
                let highest = after[node].map { column[$0] - 1 }.min()
                if before[node].count > after[node].count, let lowest, lowest != column[node] {
                    column[node] = lowest
                    moved = true
                } else if after[node].count > before[node].count, let highest, highest != column[node] {
                    column[node] = highest
                    moved = true
                }
            }
            if !moved { break }
        }
        // A node without edges (the centre alone) stays in the centre's column.
        if let center {
            for node in 0..<count where before[node].isEmpty && after[node].isEmpty { column[node] = column[center] }
        }
        let least = column.min() ?? 0
        return column.map { $0 - least }
    }
}
