import Manifests

/// A kind `POST /api/batch` writes: its `ResourceTable` (every hook of the one write path) and
/// how a manifest becomes what a create inserts, as the kind's own create route makes it (a
/// DatasetVersion: an external URL checked against the policy, a file refused: upload it).
public struct BatchTable: Sendable {
    public var table: ResourceTable
    /// The create's draft; throws a `Problem` to refuse the object.
    public var draft: @Sendable (Manifest) throws -> ObjectDraft

    public init(_ table: ResourceTable, draft: @escaping @Sendable (Manifest) throws -> ObjectDraft = { ObjectDraft($0) }) {
        self.table = table
        self.draft = draft
    }
}
