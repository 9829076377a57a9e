import Lineage
import Manifests
import Postgres
import ServiceKit

/// One object naming another in its spec (a QualityRule's `spec.dataset`, say).
public struct ObjectReference: Sendable, Hashable {
    public var kind: ManifestKind
    public var name: String
    /// Where the reference is written, e.g. `spec.dataset`.
    public var path: String
    /// Whether the object must exist when the referrer is written.
    public var mustExist: Bool

    public init(kind: ManifestKind, name: String, path: String, mustExist: Bool) {
        self.kind = kind
        self.name = name
        self.path = path
        self.mustExist = mustExist
    }

    public var node: LineageNode { LineageNode(kind: kind.singular, name: name) }
}

/// Which objects refer to which, kept in the transaction of each write, so a delete can refuse
/// while referrers remain, whichever module owns them.
public enum ObjectReferences {
    public static let migrations = [
        Migration(
            450, "object references",
            """
            create table object_references (
                from_node text not null,
                to_node text not null,
                primary key (from_node, to_node));
            create index object_references_to on object_references (to_node, from_node);
            """)
    ]

    /// The table each kind's objects live in.
    public static func table(of kind: ManifestKind) -> String {
        switch kind {
        case .dataset: return "datasets"
        case .datasetVersion: return "dataset_versions"
        case .qualityRule: return "quality_rules"
        case .experiment: return "experiments"
        case .run: return "runs"
        }
    }

    /// Checks the references that must resolve (locking those rows against a concurrent delete)
    /// and replaces what `node` is recorded to refer to. A missing object is a 422 naming it.
    public static func write(
        _ references: [ObjectReference], from node: LineageNode, describedAs owner: String, replacing: Bool = true,
        on connection: Connection
    ) throws {
        for reference in references where reference.mustExist {
            let found = try connection.query("select 1 from \(table(of: reference.kind)) where name = $1 for share", [reference.name])
            guard found.isEmpty else { continue }
            throw Problem(
                .unprocessableContent, title: "Missing reference",
                detail:
                    "\(owner) refers to \(reference.kind.rawValue) \"\(reference.name)\" in \(reference.path), which does not exist; create the \(reference.kind.rawValue) first",
                extensions: [JSONMember("missing", .string(reference.node.id))])
        }
        if replacing { try remove(from: node, on: connection) }
        for target in Set(references.map(\.node.id)) {
            try connection.query(
                "insert into object_references (from_node, to_node) values ($1, $2) on conflict do nothing", [node.id, target])
        }
    }

    public static func remove(from node: LineageNode, on connection: Connection) throws {
        try connection.query("delete from object_references where from_node = $1", [node.id])
    }

    /// Refuses (409) to delete `node` while other objects refer to it, naming them.
    public static func refuseDeleteIfReferenced(_ node: LineageNode, describedAs what: String, on connection: Connection) throws {
        let referrers = try connection.query("select from_node from object_references where to_node = $1 order by from_node", [node.id])
            .compactMap { $0["from_node"] }
        guard !referrers.isEmpty else { return }
        throw Problem(
            .conflict, title: "Still referenced",
            detail: "\(what) is referenced by \(referrers.joined(separator: ", ")); delete those or change them to refer elsewhere first",
            extensions: [JSONMember("referrers", .array(referrers.map(JSONValue.string)))])
    }
}
