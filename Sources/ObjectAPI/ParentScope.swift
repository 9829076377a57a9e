import Manifests
import Postgres
import ServiceKit

/// Objects that belong to an object of another kind, named by a spec field that is also a
/// column of their table: a DatasetVersion's `spec.dataset`. Their routes sit below the
/// parent's (`/api/datasets/{dataset}/versions/{name}`), read through the parent's name; a
/// create needs the parent to exist and holds it against a concurrent delete until it commits.
/// Names stay unique across parents.
public struct ParentScope: Sendable {
    public var kind: ManifestKind
    /// The spec field naming the parent, and the column holding it: `dataset`.
    public var field: String

    public init(kind: ManifestKind, field: String) {
        self.kind = kind
        self.field = field
    }

    /// `Dataset "churn"`.
    public func describe(_ name: String) -> String { "\(kind.rawValue) \"\(name)\"" }

    /// Locks the parent `spec` names for share, or answers 404 naming it.
    func lock(_ spec: JSONValue, on connection: Connection) throws {
        let name = spec[field]?.stringValue ?? ""
        guard try !connection.query("select 1 from \(ObjectReferences.table(of: kind)) where name = $1 for share", [name]).isEmpty else {
            throw Problem.notFound(describe(name))
        }
    }
}
