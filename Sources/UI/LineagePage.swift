import APIModel
import Foundation
import Hummingbird
import Manifests

/// `/ui/lineage?node=kind/name&direction=both&depth=3`: the graph around an object as SVG drawn
/// on the server in layers (upstream to the left, downstream to the right), each node a link
/// that re-centres the graph; the edges again as a table, for screen readers and without SVG.
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

    /// Layers by walking the edges from the centre: +1 along an edge, -1 against it.
    static func layers(nodes: [String], edges: [(from: String, to: String, relation: String)], center: String) -> [String: Int] {
        var layer = [center: 0]
        var queue = [center]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            for edge in edges {
                if edge.from == current, layer[edge.to] == nil {
                    layer[edge.to] = layer[current]! + 1
                    queue.append(edge.to)
                }
                if edge.to == current, layer[edge.from] == nil {
                    layer[edge.from] = layer[current]! - 1
                    queue.append(edge.from)
                }
            }
        }
        for node in nodes where layer[node] == nil { layer[node] = 0 }
        return layer
    }

    static func drawing(_ graph: JSONValue, center: String) -> HTML {
        let nodes = (graph["nodes"]?.arrayValue ?? []).compactMap(\.stringValue)
        let edges = (graph["edges"]?.arrayValue ?? []).map {
            (from: $0["from"]?.stringValue ?? "", to: $0["to"]?.stringValue ?? "", relation: $0["relation"]?.stringValue ?? "")
        }
        let layer = layers(nodes: nodes, edges: edges, center: center)
        let columns = Array(Set(layer.values)).sorted()
        var position: [String: (x: Int, y: Int)] = [:]
        let width = 230, height = 56, boxWidth = 200, boxHeight = 34
        var rows = 0
        for (column, value) in columns.enumerated() {
            let members = nodes.filter { layer[$0] == value }.sorted()
            rows = max(rows, members.count)
            for (row, node) in members.enumerated() { position[node] = (20 + column * width, 20 + row * height) }
        }
        let lines = HTML.join(
            edges.compactMap { edge -> HTML? in
                guard let a = position[edge.from], let b = position[edge.to] else { return nil }
                return """
                    <line x1="\(a.x + boxWidth)" y1="\(a.y + boxHeight / 2)" x2="\(b.x)" y2="\(b.y + boxHeight / 2)" \
                    stroke="#5b6677" stroke-width="1.5" marker-end="url(#arrow)"/>
                    """
            }, separator: "\n")
        let boxes = HTML.join(
            nodes.compactMap { node -> HTML? in
                guard let p = position[node] else { return nil }
                let label = node.count > 28 ? String(node.prefix(27)) + "…" : node
                let fill = node == center ? "#dbe9f8" : "#ffffff"
                return """
                    <a href="\(Layout.path("lineage", query: [("node", node)]))" class="node" data-node="\(node)"><title>\(node)</title>\
                    <rect x="\(p.x)" y="\(p.y)" width="\(boxWidth)" height="\(boxHeight)" rx="4" fill="\(fill)" stroke="#14213d"/>\
                    <text x="\(p.x + 8)" y="\(p.y + 22)" font-size="13" fill="#1d2430">\(label)</text></a>
                    """
            }, separator: "\n")
        let svgWidth = 40 + max(columns.count, 1) * width, svgHeight = 40 + max(rows, 1) * height
        let table: [[HTML]] = edges.map { edge in
            [
                Layout.link(Layout.path("lineage", query: [("node", edge.from)]), edge.from), "\(edge.relation)",
                Layout.link(Layout.path("lineage", query: [("node", edge.to)]), edge.to),
            ]
        }
        return """
            <div class="graph">
            <svg xmlns="http://www.w3.org/2000/svg" width="\(svgWidth)" height="\(svgHeight)" viewBox="0 0 \(svgWidth) \(svgHeight)" \
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
