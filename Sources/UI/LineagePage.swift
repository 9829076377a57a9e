import APIModel
import Foundation
import Hummingbird
import Manifests

/// `/ui/lineage?node=kind/name&direction=both&depth=3`: the graph around an object as SVG drawn
/// on the server in layers (upstream to the left, downstream to the right), each node a link
/// that re-centres the graph; the edges again as a table, for screen readers and without SVG.
/// The script (`LineageScript`) adds zoom and pan.
extension UIRoutes {
    func lineage(_ session: UISessions.Session, _ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let node = parameters["node"].map(String.init) ?? ""
        let direction =
            parameters["direction"].map(String.init).flatMap { ["upstream", "downstream", "both"].contains($0) ? $0 : nil } ?? "both"
        let depth = parameters["depth"].flatMap { Int($0) }.map { min(max($0, 1), 10) } ?? 3
        var graph: HTML = Layout.notice("Give an object as kind/name, e.g. dataset/churn.")
        if !node.isEmpty {
            let answer = try await gateway.get(
                "/api/lineage/graph", query: [("node", node), ("direction", direction), ("depth", String(depth))], token: session.token)
            graph = Self.drawing(answer, center: node)
        }
        let directions = HTML.join(
            ["both", "upstream", "downstream"].map { option in
                option == direction ? "<option selected>\(option)</option>" : "<option>\(option)</option>"
            })
        let depths = HTML.join((1...10).map { n in n == depth ? "<option selected>\(n)</option>" : "<option>\(n)</option>" })
        let body: HTML = """
            <form class="filters" method="get" action="/ui/lineage" aria-label="Choose the graph">
            <label for="lineage-node">Object<input id="lineage-node" name="node" type="text" value="\(node)"></label>
            <label for="lineage-direction">Direction<select id="lineage-direction" name="direction">\(directions)</select></label>
            <label for="lineage-depth">Depth<select id="lineage-depth" name="depth">\(depths)</select></label>
            <button type="submit">Show</button>
            </form>
            \(graph)
            """
        return UIResponse.html(Layout.page(title: "Lineage", section: .none, session: session, body: body))
    }

    /// The graph as SVG, laid out in layers by `LineageLayout` and drawn by `LineageGeometry`:
    /// boxes in columns (tab order: column by column, top to bottom), edges as curves through the
    /// gaps between columns, an edge that closes a cycle dashed.
    static func drawing(_ graph: JSONValue, center: String) -> HTML {
        let nodes = (graph["nodes"]?.arrayValue ?? []).compactMap(\.stringValue)
        let edges = (graph["edges"]?.arrayValue ?? []).map {
            (from: $0["from"]?.stringValue ?? "", to: $0["to"]?.stringValue ?? "", relation: $0["relation"]?.stringValue ?? "")
        }
        let layout = LineageLayout(nodes: nodes, edges: edges.map { (from: $0.from, to: $0.to) }, center: center)
        let geometry = LineageGeometry(layout)
        let lines = HTML.join(
            zip(edges, zip(layout.routes, geometry.paths)).map { edge, drawn -> HTML in
                let dashed: HTML = drawn.0.reversed ? #" stroke-dasharray="5 4""# : ""
                return """
                    <path class="edge" d="\(drawn.1.data)" fill="none" stroke="#5b6677" stroke-width="1.5"\(dashed) \
                    marker-end="url(#arrow)"><title>\(edge.from) \(edge.relation) \(edge.to)</title></path>
                    """
            }, separator: "\n")
        let boxes = HTML.join(
            layout.layers.joined().compactMap { item -> HTML? in
                guard case .node(let node) = item, let p = geometry.boxes[node] else { return nil }
                let label = node.count > 28 ? String(node.prefix(27)) + "…" : node
                let fill = node == center ? "#dbe9f8" : "#ffffff"
                return """
                    <a href="\(Layout.path("lineage", query: [("node", node)]))" class="node" data-node="\(node)"><title>\(node)</title>\
                    <rect x="\(p.x)" y="\(p.y)" width="\(LineageGeometry.boxWidth)" height="\(LineageGeometry.boxHeight)" rx="4" \
                    fill="\(fill)" stroke="#14213d"/>\
                    <text x="\(p.x + 8)" y="\(p.y + 22)" font-size="13" fill="#1d2430">\(label)</text></a>
                    """
            }, separator: "\n")
        let table: [[HTML]] = edges.map { edge in
            [
                Layout.link(Layout.path("lineage", query: [("node", edge.from)]), edge.from), "\(edge.relation)",
                Layout.link(Layout.path("lineage", query: [("node", edge.to)]), edge.to),
            ]
        }
        return """
            <div class="graph">
            <svg xmlns="http://www.w3.org/2000/svg" id="lineage-graph" class="lineage" width="\(geometry.width)" \
            height="\(geometry.height)" viewBox="0 0 \(geometry.width) \(geometry.height)" \
            role="img" aria-labelledby="graph-title"><title id="graph-title">Lineage around \(center)</title>
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">\
            <path d="M0,0 L10,5 L0,10 z" fill="#5b6677"/></marker></defs>
            \(lines)
            \(boxes)
            </svg>
            </div>
            <h2>Edges</h2>
            \(Layout.table(
                caption: "Edges around \(center)", headers: ["From", "Relation", "To"], rows: table,
                empty: "No edges: nothing is linked to this object."))
            """
    }
}
