import Manifests
import Postgres

/// Rows as API objects: the manifest's shape plus server-owned metadata and status.
enum Objects {
    static let datasetColumns = """
        name, uid::text as uid, labels::text as labels, annotations::text as annotations, spec::text as spec, resource_version,
        to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
        to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as updated_at, created_by, updated_by
        """

    static let versionColumns = """
        name, dataset, uid::text as uid, labels::text as labels, annotations::text as annotations, spec::text as spec,
        object_key, sha256, size, content_type,
        to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at, created_by
        """

    static func json(_ text: String?) -> JSONValue {
        guard let text, case .success(let value) = JSONText.parse(text) else { return .object([]) }
        return value
    }

    static func dataset(_ row: Row) -> JSONValue {
        .object([
            JSONMember("apiVersion", .string(ManifestKind.apiVersion)),
            JSONMember("kind", "Dataset"),
            JSONMember("metadata", .object([
                JSONMember("name", .string(row["name"]!)),
                JSONMember("labels", json(row["labels"])),
                JSONMember("annotations", json(row["annotations"])),
                JSONMember("uid", .string(row["uid"]!)),
                JSONMember("resourceVersion", .string(row["resource_version"]!)),
                JSONMember("createdAt", .string(row["created_at"]!)),
                JSONMember("updatedAt", .string(row["updated_at"]!)),
                JSONMember("createdBy", .string(row["created_by"]!)),
                JSONMember("updatedBy", .string(row["updated_by"]!)),
            ])),
            JSONMember("spec", json(row["spec"])),
        ])
    }

    static func version(_ row: Row) -> JSONValue {
        .object([
            JSONMember("apiVersion", .string(ManifestKind.apiVersion)),
            JSONMember("kind", "DatasetVersion"),
            JSONMember("metadata", .object([
                JSONMember("name", .string(row["name"]!)),
                JSONMember("labels", json(row["labels"])),
                JSONMember("annotations", json(row["annotations"])),
                JSONMember("uid", .string(row["uid"]!)),
                JSONMember("resourceVersion", "1"),
                JSONMember("createdAt", .string(row["created_at"]!)),
                JSONMember("createdBy", .string(row["created_by"]!)),
            ])),
            JSONMember("spec", json(row["spec"])),
            JSONMember("status", .object([
                JSONMember("sha256", .string(row["sha256"]!)),
                JSONMember("size", .int(row.int("size")!)),
                JSONMember("contentType", .string(row["content_type"]!)),
            ])),
        ])
    }

    /// The part of an object the audit diff and the digest cover: what the user wrote.
    static func desired(_ object: JSONValue) -> JSONValue {
        .object([
            JSONMember("metadata", .object([
                JSONMember("name", object["metadata"]?["name"] ?? .null),
                JSONMember("labels", object["metadata"]?["labels"] ?? .object([])),
                JSONMember("annotations", object["metadata"]?["annotations"] ?? .object([])),
            ])),
            JSONMember("spec", object["spec"] ?? .object([])),
        ])
    }

    static func etag(_ object: JSONValue) -> String {
        "\"\(object["metadata"]?["resourceVersion"]?.stringValue ?? "0")\""
    }
}
