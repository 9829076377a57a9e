import Testing

@testable import UI

/// The lineage graph's layered layout: edges point right, long edges bend through the gaps
/// instead of through boxes, few crossings (counted exactly), cycles and loops survive, and the
/// same graph always gives the same picture.
@Suite struct LineageLayoutTests {
    typealias Edge = (from: String, to: String)

    static func layout(_ edges: [Edge], center: String, nodes: [String] = []) -> LineageLayout {
        LineageLayout(nodes: nodes, edges: edges, center: center)
    }

    /// Crossings counted pair by pair from the places (independent of the layout's own count).
    static func bruteForceCrossings(_ layout: LineageLayout) -> Int {
        var segments: [(layer: Int, upper: Int, lower: Int)] = []
        for route in layout.routes where !route.isLoop {
            let (left, right) = route.reversed ? (route.to, route.from) : (route.from, route.to)
            let chain = [layout.places[left]!] + route.bends + [layout.places[right]!]
            for (a, b) in zip(chain, chain.dropFirst()) { segments.append((a.layer, a.order, b.order)) }
        }
        var count = 0
        for layer in Set(segments.map(\.layer)) {
            let here = segments.filter { $0.layer == layer }
            for i in here.indices {
                for j in here.indices where j > i && (here[i].upper - here[j].upper) * (here[i].lower - here[j].lower) < 0 { count += 1 }
            }
        }
        return count
    }

    /// Every edge that is not a loop runs from a left column to a right one with one bend per
    /// column between, and every item is where `places` and `bends` say.
    static func checkShape(_ layout: LineageLayout, _ edges: [Edge], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(layout.routes.count == edges.count, sourceLocation: sourceLocation)
        for (name, place) in layout.places {
            #expect(layout.layers[place.layer][place.order] == .node(name), sourceLocation: sourceLocation)
        }
        for (edge, route) in layout.routes.enumerated() {
            #expect(route.from == edges[edge].from && route.to == edges[edge].to, sourceLocation: sourceLocation)
            if route.isLoop {
                #expect(route.from == route.to && route.bends.isEmpty && !route.reversed, sourceLocation: sourceLocation)
                continue
            }
            let (left, right) = route.reversed ? (route.to, route.from) : (route.from, route.to)
            let (a, b) = (layout.places[left]!, layout.places[right]!)
            #expect(a.layer < b.layer, "\(route)", sourceLocation: sourceLocation)
            #expect(
                route.bends.map(\.layer) == Array((a.layer + 1)..<max(b.layer, a.layer + 1)), "\(route)", sourceLocation: sourceLocation)
            for (index, bend) in route.bends.enumerated() {
                #expect(layout.layers[bend.layer][bend.order] == .bend(edge: edge, index: index), sourceLocation: sourceLocation)
            }
        }
        #expect(layout.crossings == bruteForceCrossings(layout), sourceLocation: sourceLocation)
    }

    /// Points along each drawn edge (its curves sampled) more than half a pixel inside a box.
    static func pointsInsideBoxes(_ geometry: LineageGeometry) -> [String] {
        var found: [String] = []
        for path in geometry.paths {
            for (a, b) in zip(path.points, path.points.dropFirst()) {
                let middle = Double(a.x + b.x) / 2
                for step in 0...40 {
                    let t = Double(step) / 40, u = 1 - t
                    let x = u * u * u * Double(a.x) + 3 * u * u * t * middle + 3 * u * t * t * middle + t * t * t * Double(b.x)
                    let y = u * u * u * Double(a.y) + 3 * u * u * t * Double(a.y) + 3 * u * t * t * Double(b.y) + t * t * t * Double(b.y)
                    for (name, box) in geometry.boxes
                    where x > Double(box.x) + 0.5 && x < Double(box.x + LineageGeometry.boxWidth) - 0.5 && y > Double(box.y) + 0.5
                        && y < Double(box.y + LineageGeometry.boxHeight) - 0.5
                    {
                        found.append("\(path.data) passes through \(name) at (\(x), \(y))")
                    }
                }
            }
        }
        return found
    }

    @Test func aTreeUpstreamAndDownstreamHasNoCrossings() {
        let edges: [Edge] = [
            ("source/b", "dataset/raw"), ("source/a", "dataset/raw"), ("dataset/raw", "dataset/hub"), ("dataset/ref", "dataset/hub"),
            ("dataset/hub", "run/z"), ("dataset/hub", "run/m"), ("dataset/hub", "run/a"),
            ("run/z", "model/a"), ("run/z", "model/b"), ("run/a", "model/z"), ("run/m", "model/m"), ("run/m", "report/m"),
        ]
        let layout = Self.layout(edges, center: "dataset/hub")
        Self.checkShape(layout, edges)
        #expect(layout.crossings == 0)
        let centre = layout.places["dataset/hub"]!.layer
        #expect(centre == layout.centerLayer)
        #expect(["source/a", "source/b", "dataset/raw", "dataset/ref"].allSatisfy { layout.places[$0]!.layer < centre })
        #expect(["run/a", "model/z", "report/m"].allSatisfy { layout.places[$0]!.layer > centre })
        // A source of the hub sits next to it, not at the far left with the raw data's sources.
        #expect(layout.places["dataset/ref"]!.layer == centre - 1)
        #expect(Self.pointsInsideBoxes(LineageGeometry(layout)).isEmpty)
    }

    @Test func aDiamondHasNoCrossings() {
        let edges: [Edge] = [
            ("dataset/top", "run/right"), ("dataset/top", "run/left"), ("run/left", "model/bottom"), ("run/right", "model/bottom"),
            ("model/bottom", "report/z"), ("model/bottom", "report/a"),
        ]
        let layout = Self.layout(edges, center: "dataset/top")
        Self.checkShape(layout, edges)
        #expect(layout.crossings == 0)
        #expect(layout.layers.map(\.count) == [1, 2, 1, 2])
    }

    /// A hub feeding four runs whose models' names sort the other way round (6 crossings by
    /// name), beside two runs that each feed both of two reports (1 crossing whatever the order).
    @Test func theOrderCrossesFewerEdgesThanNameOrder() {
        let edges: [Edge] = [
            ("dataset/hub", "run/a"), ("dataset/hub", "run/b"), ("dataset/hub", "run/c"), ("dataset/hub", "run/d"),
            ("run/a", "model/z"), ("run/b", "model/y"), ("run/c", "model/x"), ("run/d", "model/w"),
            ("dataset/hub", "run/p"), ("dataset/hub", "run/q"),
            ("run/p", "report/1"), ("run/p", "report/2"), ("run/q", "report/1"), ("run/q", "report/2"),
        ]
        let layout = Self.layout(edges, center: "dataset/hub")
        Self.checkShape(layout, edges)
        #expect(layout.nameSortedCrossings == 7)
        #expect(layout.crossings == 1)
    }

    /// An edge past two columns gets a bend point in each, and nothing is drawn through a box
    /// (here the column between holds boxes above and below the bends).
    @Test func aLongEdgeBendsAroundTheBoxes() {
        let edges: [Edge] = [
            ("dataset/a", "run/1"), ("run/1", "model/1"), ("model/1", "report/1"),
            ("dataset/a", "run/2"), ("run/2", "model/2"), ("model/2", "report/1"),
            ("dataset/a", "run/3"), ("run/3", "model/3"), ("model/3", "report/1"),
            ("dataset/a", "report/1"), ("run/1", "report/1"),
        ]
        let layout = Self.layout(edges, center: "dataset/a")
        Self.checkShape(layout, edges)
        #expect(layout.routes[9].bends.count == 2 && layout.routes[10].bends.count == 1, "\(layout.routes)")
        let geometry = LineageGeometry(layout)
        #expect(geometry.paths[9].points.count == 6, "\(geometry.paths[9])")
        #expect(Self.pointsInsideBoxes(geometry) == [])
    }

    @Test func cyclesAndLoopsAreLaidOut() {
        let edges: [Edge] = [
            ("dataset/a", "run/b"), ("run/b", "model/c"), ("model/c", "dataset/a"), ("model/c", "model/c"), ("run/b", "dataset/a"),
            ("model/c", "report/d"), ("report/d", "run/b"),
        ]
        let layout = Self.layout(edges, center: "dataset/a", nodes: ["dataset/a", "dataset/alone"])
        Self.checkShape(layout, edges)
        #expect(Set(layout.places.keys) == ["dataset/a", "dataset/alone", "run/b", "model/c", "report/d"])
        #expect(layout.routes[3].isLoop)
        #expect(layout.routes.contains { $0.reversed })
        #expect(layout.places["dataset/alone"]!.layer == layout.centerLayer)
        let geometry = LineageGeometry(layout)
        #expect(geometry.paths.allSatisfy { $0.data.hasPrefix("M") && $0.points.count >= 2 })
        #expect(Self.pointsInsideBoxes(geometry) == [])
        let empty = Self.layout([], center: "dataset/x", nodes: ["dataset/x"])
        #expect(empty.layers == [[.node("dataset/x")]])
        #expect(LineageGeometry(empty).paths.isEmpty)
    }

    @Test func theSameGraphGivesTheSameLayout() {
        let edges = Self.generated(nodes: 60, edges: 120, seed: 7)
        let first = Self.layout(edges, center: "n0")
        #expect(first == Self.layout(edges, center: "n0"))
        #expect(first.places == Self.layout(Array(edges.reversed()), center: "n0").places)
        let reordered = Self.layout(edges, center: "n0", nodes: edges.map(\.to).reversed())
        #expect(first.places == reordered.places && first.layers == reordered.layers)
        #expect(LineageGeometry(first).paths == LineageGeometry(reordered).paths)
    }

    /// A few hundred nodes and their edges, with cycles: every node placed, every edge routed.
    @Test func aLargeGraphIsLaidOut() {
        let edges = Self.generated(nodes: 400, edges: 900, seed: 42)
        let layout = Self.layout(edges, center: "n0")
        Self.checkShape(layout, edges)
        #expect(layout.places.count == Set(edges.flatMap { [$0.from, $0.to] }).count)
        #expect(layout.crossings <= layout.nameSortedCrossings)
        let geometry = LineageGeometry(layout)
        #expect(geometry.paths.count == edges.count)
    }

    /// A lineage-like graph of `nodes` nodes in 21 levels (depth 10 each way), edges from one
    /// level to one of the next three, every twentieth one back by one to three (cycles), from a
    /// fixed linear congruential sequence.
    static func generated(nodes: Int, edges: Int, seed: UInt64) -> [Edge] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let levels = 21
        func node(level: Int) -> Int { min(level + levels * next((nodes - level + levels - 1) / levels), nodes - 1) }
        return (0..<edges).map { i in
            let a = next(nodes)
            let level = a % levels
            let b: Int
            if i % 20 == 19 {
                b = node(level: max(level - 1 - next(3), 0))
            } else {
                b = node(level: min(level + 1 + next(3), levels - 1))
            }
            return ("n\(a)", "n\(b)")
        }
    }
}
