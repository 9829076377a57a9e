import Manifests
import Postgres

/// Rows of the object tables as API objects: the manifest's shape plus server-owned metadata.
public enum ObjectJSON {
    /// The columns every object table has, as `object(_:kind:)` reads them.
    public static let columns = """
        name, uid::text as uid, labels::text as labels, annotations::text as annotations, spec::text as spec, resource_version,
        \(SQLTime.utc("created_at")),
        \(SQLTime.utc("updated_at")), created_by, updated_by
        """

    /// The table of a kind's objects, as every module creates it (`datasets`, `experiments`, ...).
    public static func createSQL(table: String) -> String {
        """
        create table \(table) (
            name text primary key,
            uid uuid not null unique,
            labels jsonb not null default '{}',
            annotations jsonb not null default '{}',
            spec jsonb not null,
            resource_version bigint not null default 1,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            created_by text not null,
            updated_by text not null);
        create index \(table)_labels on \(table) using gin (labels);
        """
    }

    /// A stored JSON column; `maxValues` for the columns allowed more than the usual 100,000
    /// values (an apply set's members).
    public static func parse(_ text: String?, maxValues: Int = 100_000) -> JSONValue {
        guard let text, case .success(let value) = JSONText.parse(Array(text.utf8), maxValues: maxValues) else { return .object([]) }
        return value
    }

    public static func object(_ row: Row, kind: ManifestKind) -> JSONValue {
        .object([
            JSONMember("apiVersion", .string(ManifestKind.apiVersion)),
            JSONMember("kind", .string(kind.rawValue)),
            JSONMember(
                "metadata",
                .object([
                    JSONMember("name", .string(row["name"]!)),
                    JSONMember("labels", parse(row["labels"])),
                    JSONMember("annotations", parse(row["annotations"])),
                    JSONMember("uid", .string(row["uid"]!)),
                    JSONMember("resourceVersion", .string(row["resource_version"]!)),
                    JSONMember("createdAt", .string(row["created_at"]!)),
                    JSONMember("updatedAt", .string(row["updated_at"]!)),
                    JSONMember("createdBy", .string(row["created_by"]!)),
                    JSONMember("updatedBy", .string(row["updated_by"]!)),
                ])),
            JSONMember("spec", parse(row["spec"])),
        ])
    }

    /// The quoted `metadata.resourceVersion`.
    public static func etag(_ object: JSONValue) -> String {
        "\"\(object["metadata"]?["resourceVersion"]?.stringValue ?? "0")\""
    }
}
