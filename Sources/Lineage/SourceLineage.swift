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
    /// with provenance), as an edge `commit/<id> -changed-> node`, in the write's transaction.
    /// Adding it again is a no-op.
    public static func recordChange(of node: LineageNode, from source: SourceContext, on connection: Connection) throws {
        guard let commit = source.assertedCommit else { return }
        try add(LineageEdge(from: LineageNode(kind: "commit", name: commit), to: node, relation: "changed"), on: connection)
    }
}
