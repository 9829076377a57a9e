import Audit
import Lineage
import Manifests
import Postgres
import ServiceKit

/// The writes a single create or update and a batch share, inside the caller's transaction:
/// the row, its references and lineage, the kind's `onWrite`, the commit edge and the audit event.
extension ResourceTable {
    /// Inserts `draft` (its parent locked first), then `extra`; answers the stored object.
    func createRow(
        _ draft: ObjectDraft, principal: Principal, source: SourceContext, requestID: String, on connection: Connection,
        extra: (Connection) throws -> Void = { _ in }
    ) throws -> JSONValue {
        let name = draft.name
        try parent?.lock(draft.spec, on: connection)
        try insert(draft, by: principal.subject, on: connection)
        try link(name, spec: draft.spec, created: true, on: connection)
        try onWrite(name, nil, draft.spec, connection)
        try extra(connection)
        try LineageStore.recordChange(of: node(name), from: source, on: connection)
        let object = try load(name, on: connection)!
        // What the user wrote, and what the server derived on creation (a version's digest and size).
        try AuditLog.append(
            AuditDraft(
                actor: principal.subject, action: "create", resource: resource(name), requestID: requestID,
                after: UserOwned.of(object).merging(status: object["status"]), source: source.json), on: connection)
        return object
    }

    /// Changes `current` (loaded `for update`, its If-Match already checked) to `manifest`:
    /// `authorize`, written-once fields, then nothing at all when the user-owned part is the
    /// same (answers nil), else the update, links, `onWrite`, the commit edge and the audit event.
    func updateRow(
        _ current: JSONValue, to manifest: Manifest, principal: Principal, source: SourceContext, requestID: String,
        on connection: Connection
    ) throws -> JSONValue? {
        try updateRow(
            current, name: manifest.name, metadata: manifest.metadata, spec: manifest.spec, principal: principal, source: source,
            requestID: requestID, on: connection)
    }

    /// `updateRow(_:to:...)` from the parts of a manifest.
    func updateRow(
        _ current: JSONValue, name: String, metadata: JSONValue, spec desiredSpec: JSONValue, principal: Principal,
        source: SourceContext, requestID: String, on connection: Connection
    ) throws -> JSONValue? {
        try authorize(principal, current["spec"], desiredSpec)
        let spec = try immutability?.spec(updating: current, to: desiredSpec, describedAs: describe(name)) ?? desiredSpec
        let desired = UserOwned.make(name: .string(name), metadata: metadata, spec: spec)
        let before = UserOwned.of(current)
        // Same content: nothing to write, no new resourceVersion, no audit event.
        if before.canonicalJSON == desired.canonicalJSON { return nil }
        try connection.query(
            """
            update \(table) set labels = $2::jsonb, annotations = $3::jsonb, spec = $4::jsonb,
                resource_version = resource_version + 1, updated_at = now(), updated_by = $5
            where name = $1
            """,
            [
                name, desired["metadata"]?["labels"]?.jsonString(), desired["metadata"]?["annotations"]?.jsonString(),
                spec.jsonString(), principal.subject,
            ])
        try link(name, spec: spec, on: connection)
        try onWrite(name, current["spec"], spec, connection)
        try LineageStore.recordChange(of: node(name), from: source, on: connection)
        let updated = try load(name, on: connection)!
        try AuditLog.append(
            AuditDraft(
                actor: principal.subject, action: "update", resource: resource(name), requestID: requestID,
                before: before, after: desired, source: source.json), on: connection)
        return updated
    }
}
