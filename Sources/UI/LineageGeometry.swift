/// Where a `LineageLayout` is drawn: boxes in columns, each edge a path of cubic curves through
/// the gaps between columns and straight across the columns it passes at its bend points, so no
/// edge runs through a box. Vertically each column is placed as close as its order allows to the
/// mean height of its neighbours in the columns beside it (a few sweeps, each column an exact
/// least-squares fit under the order and spacing, by pooling adjacent violators); edges leave
/// and enter a box at points spread along its side in the order of where they go.
struct LineageGeometry: Sendable {
    struct Point: Sendable, Equatable {
        var x: Int
        var y: Int
    }

    /// An edge as drawn, from its `from` end to its `to` end (the arrow's end).
    struct Path: Sendable, Equatable {
        var points: [Point]
        /// SVG path data through `points` (a loop is two points joined by one curve).
        var data: String
    }

    static let boxWidth = 200, boxHeight = 34, gap = 64, margin = 20
    /// Half the vertical room a node and a bend point take (centre to centre, plus the other's).
    static let nodeExtent = 28, bendExtent = 8

    /// Each node's box, top-left corner.
    let boxes: [String: Point]
    /// One per route of the layout, in its order.
    let paths: [Path]
    let width: Int
    let height: Int

    init(_ layout: LineageLayout) {
        let columns = layout.layers
        func extent(_ item: LineageLayout.Item) -> Int { if case .node = item { Self.nodeExtent } else { Self.bendExtent } }
        func x(_ layer: Int) -> Int { Self.margin + layer * (Self.boxWidth + Self.gap) }
        // Neighbours of each item in the columns before and after, by (layer, order).
        var before = columns.map { $0.map { _ in [LineageLayout.Place]() } }
        var after = before
        let chains = layout.routes.filter { !$0.isLoop }.map { route in
            let (left, right) = route.reversed ? (route.to, route.from) : (route.from, route.to)
            return [layout.places[left]!] + route.bends + [layout.places[right]!]
        }
        for chain in chains {
            for (a, b) in zip(chain, chain.dropFirst()) {
                after[a.layer][a.order].append(b)
                before[b.layer][b.order].append(a)
            }
        }
        // Centres: stacked, then fitted to the neighbours' mean, down, up and both ways.
        var centre = columns.map { column in
            var y = 0
            return column.indices.map { i in
                y += i == 0 ? extent(column[i]) : extent(column[i - 1]) + extent(column[i])
                return Double(y)
            }
        }
        for sweep in 0..<6 {
            let order = sweep % 2 == 0 ? Array(columns.indices) : Array(columns.indices.reversed())
            for k in order {
                let wanted = columns[k].indices.map { i -> Double in
                    let sides = sweep >= 4 ? before[k][i] + after[k][i] : (sweep % 2 == 0 ? before[k][i] : after[k][i])
                    if sides.isEmpty { return centre[k][i] }
                    return sides.reduce(0.0) { $0 + centre[$1.layer][$1.order] } / Double(sides.count)
                }
                centre[k] = Self.fit(wanted, spacing: columns[k].map(extent))
            }
        }
        let top = zip(columns, centre).flatMap { column, ys in zip(column, ys).map { $1 - Double(extent($0)) } }.min() ?? 0
        let y = centre.map { $0.map { Int(($0 - top).rounded()) + Self.margin } }
        let bottom = zip(columns, y).flatMap { column, ys in zip(column, ys).map { $1 + extent($0) } }.max() ?? 0

        var boxes: [String: Point] = [:]
        for (k, column) in columns.enumerated() {
            for (i, item) in column.enumerated() {
                if case .node(let name) = item { boxes[name] = Point(x: x(k), y: y[k][i] - Self.boxHeight / 2) }
            }
        }
        self.boxes = boxes
        // Ports: edges leave a box's right side and enter its left side spread out in the order of
        // the height of their other end.
        var leaving: [String: [(edge: Int, toward: Int)]] = [:]
        var entering: [String: [(edge: Int, toward: Int)]] = [:]
        var chainIndex = 0
        var chainOf = [Int?](repeating: nil, count: layout.routes.count)
        for (edge, route) in layout.routes.enumerated() where !route.isLoop {
            chainOf[edge] = chainIndex
            let chain = chains[chainIndex]
            chainIndex += 1
            let (left, right) = route.reversed ? (route.to, route.from) : (route.from, route.to)
            leaving[left, default: []].append((edge, y[chain[1].layer][chain[1].order]))
            entering[right, default: []].append((edge, y[chain[chain.count - 2].layer][chain[chain.count - 2].order]))
        }
        var start = [Int](repeating: 0, count: layout.routes.count)
        var end = start
        for (name, list) in leaving {
            for (i, one) in list.sorted(by: { ($0.toward, $0.edge) < ($1.toward, $1.edge) }).enumerated() {
                start[one.edge] = boxes[name]!.y + Self.boxHeight * (i + 1) / (list.count + 1)
            }
        }
        for (name, list) in entering {
            for (i, one) in list.sorted(by: { ($0.toward, $0.edge) < ($1.toward, $1.edge) }).enumerated() {
                end[one.edge] = boxes[name]!.y + Self.boxHeight * (i + 1) / (list.count + 1)
            }
        }
        paths = layout.routes.enumerated().map { edge, route in
            if route.isLoop {
                let box = boxes[route.from]!
                let (right, top, low) = (box.x + Self.boxWidth, box.y + 8, box.y + Self.boxHeight - 8)
                return Path(
                    points: [Point(x: right, y: top), Point(x: right, y: low)],
                    data: "M\(right),\(top) C\(right + 40),\(top - 22) \(right + 40),\(low + 22) \(right),\(low)")
            }
            let chain = chains[chainOf[edge]!]
            var points = [Point(x: x(chain[0].layer) + Self.boxWidth, y: start[edge])]
            for bend in chain.dropFirst().dropLast() {
                let height = y[bend.layer][bend.order]
                points += [Point(x: x(bend.layer), y: height), Point(x: x(bend.layer) + Self.boxWidth, y: height)]
            }
            points.append(Point(x: x(chain[chain.count - 1].layer), y: end[edge]))
            if route.reversed { points.reverse() }
            return Path(points: points, data: Self.curve(points))
        }
        width = 2 * Self.margin + max(columns.count, 1) * (Self.boxWidth + Self.gap) - Self.gap
        height = max(bottom, Self.margin + 2 * Self.nodeExtent) + Self.margin
    }

    /// Cubic curves between consecutive points, leaving and arriving horizontally (straight when
    /// both are at the same height); each stays between its points' x, inside one gap or column.
    static func curve(_ points: [Point]) -> String {
        var data = "M\(points[0].x),\(points[0].y)"
        for (a, b) in zip(points, points.dropFirst()) {
            if a.y == b.y {
                data += " L\(b.x),\(b.y)"
            } else {
                let middle = (a.x + b.x) / 2
                data += " C\(middle),\(a.y) \(middle),\(b.y) \(b.x),\(b.y)"
            }
        }
        return data
    }

    /// The heights closest (least squares) to `wanted` that keep the order with each neighbour
    /// at least `spacing[i - 1] + spacing[i]` apart: subtract the running offsets, fit a
    /// non-decreasing sequence by pooling adjacent violators, add the offsets back.
    static func fit(_ wanted: [Double], spacing: [Int]) -> [Double] {
        var offsets: [Double] = []
        var offset = 0
        for i in spacing.indices {
            if i > 0 { offset += spacing[i - 1] + spacing[i] }
            offsets.append(Double(offset))
        }
        var blocks: [(sum: Double, count: Int)] = []
        for (value, offset) in zip(wanted, offsets) {
            blocks.append((value - offset, 1))
            while blocks.count > 1,
                blocks[blocks.count - 2].sum / Double(blocks[blocks.count - 2].count) > blocks[blocks.count - 1].sum
                    / Double(blocks[blocks.count - 1].count)
            {
                let last = blocks.removeLast()
                blocks[blocks.count - 1].sum += last.sum
                blocks[blocks.count - 1].count += last.count
            }
        }
        var fitted: [Double] = []
        for block in blocks { fitted += Array(repeating: block.sum / Double(block.count), count: block.count) }
        return zip(fitted, offsets).map { $0 + $1 }
    }
}
