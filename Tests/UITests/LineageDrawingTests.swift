import Manifests
import Testing

@testable import UI

/// The lineage page's SVG as drawn: boxes placed so that edges between neighbouring layers do
/// not cross when they need not, read back from the markup the browser gets.
@Suite struct LineageDrawingTests {
    /// `dataset/hub` feeds four runs, each run makes one model; the models' names sort the other
    /// way round from their runs', so boxes stacked by name cross every pair of those edges (6).
    static let edges = [
        ("source/aa", "dataset/hub"), ("source/zz", "dataset/hub"),
        ("dataset/hub", "run/a"), ("dataset/hub", "run/b"), ("dataset/hub", "run/c"), ("dataset/hub", "run/d"),
        ("run/a", "model/z"), ("run/b", "model/y"), ("run/c", "model/x"), ("run/d", "model/w"),
    ]

    static func graph(_ edges: [(String, String)]) -> JSONValue {
        var nodes: [String] = []
        for (from, to) in edges { for node in [from, to] where !nodes.contains(node) { nodes.append(node) } }
        return .object([
            JSONMember("nodes", .array(nodes.map(JSONValue.string))),
            JSONMember(
                "edges",
                .array(
                    edges.map {
                        .object([
                            JSONMember("from", .string($0.0)), JSONMember("to", .string($0.1)), JSONMember("relation", .string("feeds")),
                        ])
                    })),
        ])
    }

    /// Each box's top-left corner, by node, as the markup places it.
    static func boxes(_ svg: String) -> [String: (x: Double, y: Double)] {
        var found: [String: (x: Double, y: Double)] = [:]
        let pattern = /data-node="([^"]+)"><title>[^<]*<\/title><rect x="([0-9.]+)" y="([0-9.]+)"/
        for match in svg.matches(of: pattern) {
            found[String(match.output.1)] = (Double(match.output.2)!, Double(match.output.3)!)
        }
        return found
    }

    /// Pairs of edges between the same two neighbouring columns whose ends are stacked in opposite order.
    static func crossings(_ svg: String, _ edges: [(String, String)]) -> Int {
        let boxes = boxes(svg)
        let columns = Set(boxes.values.map(\.x)).sorted()
        let spans = edges.compactMap { edge -> (column: Int, from: Double, to: Double)? in
            guard let a = boxes[edge.0], let b = boxes[edge.1], let i = columns.firstIndex(of: a.x), columns.firstIndex(of: b.x) == i + 1
            else { return nil }
            return (i, a.y, b.y)
        }
        var count = 0
        for i in spans.indices {
            for j in spans.indices where j > i && spans[i].column == spans[j].column {
                if (spans[i].from - spans[j].from) * (spans[i].to - spans[j].to) < 0 { count += 1 }
            }
        }
        return count
    }

    @Test func edgesBetweenNeighbouringLayersDoNotCrossNeedlessly() {
        let svg = UIRoutes.drawing(Self.graph(Self.edges), center: "dataset/hub").text
        #expect(Self.boxes(svg).count == 11, "\(svg)")
        #expect(Self.crossings(svg, Self.edges) == 0, "\(svg)")
    }
}
