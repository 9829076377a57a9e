import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `GET /api/lineage/graph?node=kind/name&direction=upstream|downstream|both&depth=N`.
public struct LineageRoutes: Sendable {
    let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public func register(on router: APIRouter) {
        router.get("/api/lineage/graph") { request, context in
            try context.require(.viewer)
            let query = request.uri.queryParameters
            guard let raw = query["node"], let node = LineageNode(id: String(raw)) else {
                throw Problem(.badRequest, title: "Bad node", detail: "give the node as ?node=kind/name, e.g. ?node=dataset/churn")
            }
            let directionText = query["direction"].map(String.init) ?? "both"
            guard let direction = LineageDirection(rawValue: directionText) else {
                throw Problem(
                    .badRequest, title: "Bad direction", detail: "direction must be upstream, downstream or both, not \"\(directionText)\"")
            }
            var depth = 3
            if let text = query["depth"] {
                guard let n = Int(text), n >= 1, n <= LineageStore.maxDepth else {
                    throw Problem(
                        .badRequest, title: "Bad depth", detail: "depth must be a whole number from 1 to \(LineageStore.maxDepth)")
                }
                depth = n
            }
            let edges = try await pool.withConnection { [depth] in
                try LineageStore.graph(around: node, direction: direction, depth: depth, on: $0)
            }
            var nodes: [String] = [node.id]
            for edge in edges {
                for id in [edge.from.id, edge.to.id] where !nodes.contains(id) { nodes.append(id) }
            }
            return Response.json([
                "node": .string(node.id), "direction": .string(direction.rawValue), "depth": .int(Int64(depth)),
                "nodes": .array(nodes.map(JSONValue.string)), "edges": .array(edges.map(\.json)),
            ])
        }
    }
}
