import Postgres
import ServiceKit

extension LineageStore {
    /// Replaces the edges `node` draws to others with `edges` (an object's references changed).
    public static func replace(edgesFrom node: LineageNode, relations: [String], with edges: [LineageEdge], on connection: Connection)
        throws
    {
        for relation in relations {
            try connection.query("delete from lineage_edges where from_node = $1 and relation = $2", [node.id, relation])
        }
        for edge in edges { try add(edge, on: connection) }
    }

    /// The commit a write came from (`X-DataPilot-Source-Commit`, from a caller the server trusts
    /// with provenance), as an edge `commit/<id> -changed-> node`, in the write's transaction; and
    /// the merge that brought that commit onto the branch (`X-DataPilot-Source-Merge`) as
    /// `commit/<merge> -merged-> node`. Adding an edge again is a no-op.
    public static func recordChange(of node: LineageNode, from source: SourceContext, on connection: Connection) throws {
        guard let commit = source.assertedCommit else { return }
        try add(LineageEdge(from: LineageNode(kind: "commit", name: commit), to: node, relation: "changed"), on: connection)
        if let merge = source.assertedMerge, merge != commit {
            try add(LineageEdge(from: LineageNode(kind: "commit", name: merge), to: node, relation: "merged"), on: connection)
        }
    }
}
