import Lineage
import Manifests
import Postgres
import ServiceKit

/// A kind of object served by `ObjectRoutes`: its manifest kind, its table and route, and the
/// hooks that tie it to other objects.
public struct ResourceTable: Sendable {
    public let kind: ManifestKind
    public let table: String
    /// The collection route, e.g. `/api/qualityrules`.
    public let collection: String
    /// The objects a spec refers to (checked and recorded on every write).
    public let references: @Sendable (_ spec: JSONValue) -> [ObjectReference]
    /// The lineage edges an object draws, given its name and spec.
    public let edges: @Sendable (_ name: String, _ spec: JSONValue) -> [LineageEdge]
    /// The relations of those edges, replaced on every change.
    public let relations: [String]
    /// Runs before a delete inside its transaction; throws to refuse it.
    public let beforeDelete: @Sendable (_ name: String, _ connection: Connection) throws -> Void
    /// Runs inside every create (`before` nil) and update transaction after the row is written;
    /// throws to refuse the write (e.g. a field that is written once).
    public let onWrite: @Sendable (_ name: String, _ before: JSONValue?, _ spec: JSONValue, _ connection: Connection) throws -> Void
    /// Runs after a create has committed (never for a dry run or an idempotent replay).
    public let afterCreate: @Sendable (_ name: String, _ spec: JSONValue) async -> Void
    /// Runs before every create (`before` nil) and update, with the caller: throws to refuse a
    /// write that needs more than the editor role (e.g. a run that executes on creation).
    public let authorize: @Sendable (_ principal: Principal, _ before: JSONValue?, _ spec: JSONValue) throws -> Void

    public init(kind: ManifestKind, collection: String,
                references: @escaping @Sendable (JSONValue) -> [ObjectReference] = { _ in [] },
                edges: @escaping @Sendable (String, JSONValue) -> [LineageEdge] = { _, _ in [] },
                relations: [String] = [],
                beforeDelete: @escaping @Sendable (String, Connection) throws -> Void = { _, _ in },
                onWrite: @escaping @Sendable (String, JSONValue?, JSONValue, Connection) throws -> Void = { _, _, _, _ in },
                afterCreate: @escaping @Sendable (String, JSONValue) async -> Void = { _, _ in },
                authorize: @escaping @Sendable (Principal, JSONValue?, JSONValue) throws -> Void = { _, _, _ in }) {
        self.kind = kind
        self.table = ObjectReferences.table(of: kind)
        self.collection = collection
        self.references = references
        self.edges = edges
        self.relations = relations
        self.beforeDelete = beforeDelete
        self.onWrite = onWrite
        self.afterCreate = afterCreate
        self.authorize = authorize
    }

    /// `dataset/churn`, as audit events and lineage name it.
    public func resource(_ name: String) -> String { "\(kind.singular)/\(name)" }
    public func node(_ name: String) -> LineageNode { LineageNode(kind: kind.singular, name: name) }
    /// `Dataset "churn"`, as problems name it.
    public func describe(_ name: String) -> String { "\(kind.rawValue) \"\(name)\"" }

    public func load(_ name: String, forUpdate: Bool = false, on connection: Connection) throws -> JSONValue? {
        try connection.query("select \(ObjectJSON.columns) from \(table) where name = $1\(forUpdate ? " for update" : "")", [name])
            .first.map { ObjectJSON.object($0, kind: kind) }
    }

    /// References and lineage of `name` after a create or change, in the write's transaction.
    func link(_ name: String, spec: JSONValue, on connection: Connection) throws {
        try ObjectReferences.write(references(spec), from: node(name), describedAs: describe(name), on: connection)
        try LineageStore.replace(edgesFrom: node(name), relations: relations, with: edges(name, spec), on: connection)
    }
}

extension JSONValue {
    /// The strings at `key` of each element of an array (`inputs[].datasetVersion`), or the
    /// elements themselves when `key` is nil.
    public func strings(_ key: String? = nil) -> [String] {
        (arrayValue ?? []).compactMap { element in key.map { element[$0]?.stringValue } ?? element.stringValue }
    }
}
