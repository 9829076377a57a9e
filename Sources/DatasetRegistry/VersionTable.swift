import Lineage
import Manifests
import ObjectAPI
import Postgres
import ServiceKit

extension VersionRoutes {
    /// DatasetVersions, written through the path every kind shares: each below its dataset
    /// (`spec.dataset`, which must exist; names are unique across datasets), drawing
    /// `dataset -has-version-> version`, with its content in columns of its own. Versions are
    /// immutable records: a create sending a version's content again answers that version, and
    /// an update changes its labels, annotations and description only (`spec.source.path` is
    /// where the client found the file, so it is kept, not compared).
    static let table = ResourceTable(
        kind: .datasetVersion, collection: "/api/datasetversions",
        columns: Objects.versionColumns, render: Objects.version,
        parent: ParentScope(kind: .dataset, field: "dataset"),
        edges: { name, spec in
            spec["dataset"]?.stringValue.map {
                [
                    LineageEdge(
                        from: LineageNode(kind: "dataset", name: $0), to: LineageNode(kind: "datasetversion", name: name),
                        relation: "has-version")
                ]
            } ?? []
        },
        existing: sameContent,
        immutability: Immutability(
            fields: [.init(["dataset"]), .init(["source", "sha256"], storedAt: ["status", "sha256"]), .init(["source", "url"])],
            mutable: ["description"],
            title: "Version is immutable", remedy: "versions never change: create a new version with a new name"),
        onWrite: { name, before, spec, connection in
            guard before == nil else { return }
            try ParquetVersionCheck.check(spec, on: connection)
            try initialAdmission(name, on: connection)
        })

    /// A new version's admission: Pending (the Quality service's workers evaluate it) when its
    /// dataset has quality rules and the server holds its content, else Unchecked with the reason.
    static func initialAdmission(_ name: String, on connection: Connection) throws {
        try connection.query(
            """
            update dataset_versions v set
                admission = case when v.object_key is not null and r.has_rules then 'Pending' else 'Unchecked' end,
                admission_reason = case
                    when v.object_key is null then 'external content: the server holds no bytes to evaluate'
                    when not r.has_rules then 'Dataset "' || v.dataset || '" has no quality rules' end,
                admission_changed_at = now(), admission_changed_by = 'system:quality'
            from (select exists (select 1 from quality_rules q, dataset_versions w
                                 where w.name = $1 and q.spec->>'dataset' = w.dataset) as has_rules) r
            where v.name = $1
            """, [name])
    }

    /// The same name with the same dataset and content is the same version (200); other content is a 409.
    @Sendable static func sameContent(_ existing: JSONValue, _ spec: JSONValue) throws {
        let name = existing["metadata"]?["name"]?.stringValue ?? ""
        let dataset = existing["spec"]?["dataset"]?.stringValue ?? ""
        guard dataset == spec["dataset"]?.stringValue else {
            throw Problem(
                .conflict, title: "Name taken",
                detail:
                    "DatasetVersion \"\(name)\" belongs to Dataset \"\(dataset)\"; version names are unique across datasets, so pick another"
            )
        }
        let sha256 = existing["status"]?["sha256"]?.stringValue ?? ""
        guard sha256 == spec["source"]?["sha256"]?.stringValue else {
            throw Problem(
                .conflict, title: "Version is immutable",
                detail:
                    "DatasetVersion \"\(name)\" already exists with other content (sha256 \(sha256)); versions never change: create a new version with a new name"
            )
        }
    }

    /// The shared create, get and update for versions.
    var versions: ObjectRoutes { ObjectRoutes(pool: pool, table: Self.table) }

    /// The columns of a version's content beside its spec: where it is stored (nil for an
    /// external version), its digest, size and content type.
    static func content(key: String?, sha256: String, size: Int64?, contentType: String) -> [(name: String, value: String?)] {
        [("object_key", key), ("sha256", sha256), ("size", size.map(String.init)), ("content_type", contentType)]
    }
}
