import Manifests
import Postgres

/// A node of the lineage graph: `dataset/churn`, `datasetversion/churn-2026-10`, `commit/<sha>`.
public struct LineageNode: Sendable, Hashable {
    public var kind: String
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public var id: String { "\(kind)/\(name)" }

    /// Parses `kind/name` (the name may itself contain slashes, e.g. a repository URL).
    public init?(id: String) {
        guard let slash = id.firstIndex(of: "/"), slash != id.startIndex, id.index(after: slash) != id.endIndex else { return nil }
        kind = String(id[..<slash])
        name = String(id[id.index(after: slash)...])
    }
}

public struct LineageEdge: Sendable, Hashable {
    public var from: LineageNode
    public var to: LineageNode
    /// What the edge means, read from `from` to `to`: `version-of`, `input-of`, `evaluated`, ...
    public var relation: String

    public init(from: LineageNode, to: LineageNode, relation: String) {
        self.from = from
        self.to = to
        self.relation = relation
    }

    public var json: JSONValue {
        ["from": .string(from.id), "to": .string(to.id), "relation": .string(relation)]
    }
}

public enum LineageDirection: String, Sendable, CaseIterable {
    case upstream, downstream, both
}

/// Lineage edges in Postgres, written in the transaction of the change that causes them.
public enum LineageStore {
    public static let maxDepth = 10

    public static let migrations = [
        Migration(
            300, "lineage edges",
            """
            create table lineage_edges (
                from_node text not null,
                to_node text not null,
                relation text not null,
                created_at timestamptz not null default now(),
                primary key (from_node, to_node, relation));
            create index lineage_edges_to on lineage_edges (to_node);
            """)
    ]

    public static func add(_ edge: LineageEdge, on connection: Connection) throws {
        try connection.query(
            "insert into lineage_edges (from_node, to_node, relation) values ($1, $2, $3) on conflict do nothing",
            [edge.from.id, edge.to.id, edge.relation])
    }

    /// Removes the edges touching a node (when the node is deleted).
    public static func remove(node: LineageNode, on connection: Connection) throws {
        try connection.query("delete from lineage_edges where from_node = $1 or to_node = $1", [node.id])
    }

    /// The edges reachable from `node` within `depth` hops. Upstream follows edges backwards
    /// (what the node came from), downstream forwards (what came from it). Both directions use
    /// an index, so the walk costs the size of the answer, not of the graph.
    public static func graph(
        around node: LineageNode, direction: LineageDirection, depth: Int,
        on connection: Connection
    ) throws -> [LineageEdge] {
        let depth = min(max(depth, 1), maxDepth)
        var edges: [LineageEdge] = []
        if direction != .downstream { edges += try walk(from: node, forwards: false, depth: depth, on: connection) }
        if direction != .upstream { edges += try walk(from: node, forwards: true, depth: depth, on: connection) }
        var seen: Set<LineageEdge> = []
        return edges.filter { seen.insert($0).inserted }
    }

    static func walk(from node: LineageNode, forwards: Bool, depth: Int, on connection: Connection) throws -> [LineageEdge] {
        let (near, far) = forwards ? ("from_node", "to_node") : ("to_node", "from_node")
        let rows = try connection.query(
            """
            with recursive reach(node, depth) as (
                select $1::text, 0
                union
                select e.\(far), r.depth + 1 from reach r join lineage_edges e on e.\(near) = r.node where r.depth < $2
            )
            select distinct e.from_node, e.to_node, e.relation
            from lineage_edges e join reach r on e.\(near) = r.node and r.depth < $2
            order by 1, 2, 3
            """, [node.id, String(depth)])
        return rows.compactMap { row in
            guard let from = LineageNode(id: row["from_node"]!), let to = LineageNode(id: row["to_node"]!) else { return nil }
            return LineageEdge(from: from, to: to, relation: row["relation"]!)
        }
    }
}
