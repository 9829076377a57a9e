import APIModel
import Lineage
import Manifests
import Postgres
import ServiceKit

/// A kind of object written through `ObjectRoutes`: its manifest kind, its table and route, and
/// the hooks that make it what it is (references and lineage, a parent, written-once fields,
/// refusals) around the one create/update/delete every kind shares.
public struct ResourceTable: Sendable {
    public let kind: ManifestKind
    public let table: String
    /// The collection route, e.g. `/api/qualityrules`.
    public let collection: String
    /// The columns `load` reads (`ObjectJSON.columns`, plus any of the kind's own) and how a
    /// row becomes the API object.
    public let columns: String
    public let render: @Sendable (Row) -> JSONValue
    /// The object each of these belongs to, if any (a DatasetVersion's dataset).
    public let parent: ParentScope?
    /// The objects a spec refers to (checked and recorded on every write).
    public let references: @Sendable (_ spec: JSONValue) -> [ObjectReference]
    /// The lineage edges an object draws, given its name and spec.
    public let edges: @Sendable (_ name: String, _ spec: JSONValue) -> [LineageEdge]
    /// The relations of those edges, replaced on every change.
    public let relations: [String]
    /// A create naming an object that exists: nil refuses it (409 Already exists); a hook throws
    /// to refuse it or returns to answer 200 with the existing object (a version sent again with
    /// its content is the same version).
    public let existing: (@Sendable (_ existing: JSONValue, _ spec: JSONValue) throws -> Void)?
    /// What of the spec an update may not change, if anything.
    public let immutability: Immutability?
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
    /// The fields its collection can be filtered by, beside labels.
    public let listFilters: [ListFilter]

    public init(
        kind: ManifestKind, collection: String,
        columns: String = ObjectJSON.columns,
        render: (@Sendable (Row) -> JSONValue)? = nil,
        parent: ParentScope? = nil,
        references: @escaping @Sendable (JSONValue) -> [ObjectReference] = { _ in [] },
        edges: @escaping @Sendable (String, JSONValue) -> [LineageEdge] = { _, _ in [] },
        relations: [String] = [],
        existing: (@Sendable (JSONValue, JSONValue) throws -> Void)? = nil,
        immutability: Immutability? = nil,
        beforeDelete: @escaping @Sendable (String, Connection) throws -> Void = { _, _ in },
        onWrite: @escaping @Sendable (String, JSONValue?, JSONValue, Connection) throws -> Void = { _, _, _, _ in },
        afterCreate: @escaping @Sendable (String, JSONValue) async -> Void = { _, _ in },
        authorize: @escaping @Sendable (Principal, JSONValue?, JSONValue) throws -> Void = { _, _, _ in },
        listFilters: [ListFilter] = []
    ) {
        self.kind = kind
        self.table = ObjectReferences.table(of: kind)
        self.collection = collection
        self.columns = columns
        self.render = render ?? { ObjectJSON.object($0, kind: kind) }
        self.parent = parent
        self.references = references
        self.edges = edges
        self.relations = relations
        self.existing = existing
        self.immutability = immutability
        self.beforeDelete = beforeDelete
        self.onWrite = onWrite
        self.afterCreate = afterCreate
        self.authorize = authorize
        self.listFilters = listFilters
    }

    /// `dataset/churn`, as audit events and lineage name it.
    public func resource(_ name: String) -> String { ObjectRef(kind, name).description }
    public func node(_ name: String) -> LineageNode { LineageNode(kind: kind.singular, name: name) }
    /// `Dataset "churn"`, as problems name it; read through a parent,
    /// `DatasetVersion "churn-1" of Dataset "churn"`.
    public func describe(_ name: String, parent: String? = nil) -> String {
        "\(kind.rawValue) \"\(name)\"" + (self.parent.flatMap { scope in parent.map { " of " + scope.describe($0) } } ?? "")
    }

    /// The object named `name`; with `parent`, only if it belongs to that parent.
    public func load(_ name: String, parent: String? = nil, forUpdate: Bool = false, on connection: Connection) throws -> JSONValue? {
        var sql = "select \(columns) from \(table) where name = $1"
        var parameters: [String?] = [name]
        if let scope = self.parent, let parent {
            sql += " and \(scope.field) = $2"
            parameters.append(parent)
        }
        return try connection.query(sql + (forUpdate ? " for update" : ""), parameters).first.map(render)
    }

    /// The new row of `draft`, its parent column (if any) from its spec.
    func insert(_ draft: ObjectDraft, by subject: String, on connection: Connection) throws {
        var own = draft.ownColumns
        if let parent { own.insert((parent.field, draft.spec[parent.field]?.stringValue), at: 0) }
        let names = own.map { ", " + $0.name }.joined()
        let values = own.indices.map { ", $\($0 + 6)" }.joined()
        try connection.query(
            """
            insert into \(table) (name, uid, labels, annotations, spec, created_by, updated_by\(names))
            values ($1, gen_random_uuid(), $2::jsonb, $3::jsonb, $4::jsonb, $5, $5\(values))
            """,
            [draft.name, draft.labels.jsonString(), draft.annotations.jsonString(), draft.spec.jsonString(), subject] + own.map(\.value))
    }

    /// References and lineage of `name` after a create or change, in the write's transaction. A
    /// new object has none to replace (a delete removes them), so a create only adds.
    func link(_ name: String, spec: JSONValue, created: Bool = false, on connection: Connection) throws {
        try ObjectReferences.write(references(spec), from: node(name), describedAs: describe(name), replacing: !created, on: connection)
        if created {
            for edge in edges(name, spec) { try LineageStore.add(edge, on: connection) }
        } else {
            try LineageStore.replace(edgesFrom: node(name), relations: relations, with: edges(name, spec), on: connection)
        }
    }
}

extension JSONValue {
    /// The strings at `key` of each element of an array (`inputs[].datasetVersion`), or the
    /// elements themselves when `key` is nil.
    public func strings(_ key: String? = nil) -> [String] {
        (arrayValue ?? []).compactMap { element in key.map { element[$0]?.stringValue } ?? element.stringValue }
    }

    /// This object with a `status` member added (none: unchanged).
    func merging(status: JSONValue?) -> JSONValue {
        guard case .object(var members) = self, let status else { return self }
        members.append(JSONMember("status", status))
        return .object(members)
    }
}
