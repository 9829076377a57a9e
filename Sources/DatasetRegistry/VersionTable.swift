import Lineage
import Manifests
import ObjectAPI
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
        onWrite: { _, before, spec, connection in if before == nil { try ParquetVersionCheck.check(spec, on: connection) } })

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
