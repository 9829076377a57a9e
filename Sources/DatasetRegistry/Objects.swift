import Manifests
import ObjectAPI
import Postgres

/// Version rows as API objects: the manifest's shape plus server-owned metadata and status.
enum Objects {
    static let versionColumns = ObjectJSON.columns + ", dataset, object_key, sha256, size, content_type"

    static func version(_ row: Row) -> JSONValue {
        var status = [JSONMember("sha256", .string(row["sha256"]!))]
        // External versions (a URL and its digest) have no stored object, so no size.
        if let size = row.int("size") { status.append(JSONMember("size", .int(size))) }
        status.append(JSONMember("contentType", .string(row["content_type"]!)))
        status.append(JSONMember("stored", .bool(row["object_key"] != nil)))
        // The columns every object has, as every kind reads them, then the version's status.
        guard case .object(var members) = ObjectJSON.object(row, kind: .datasetVersion) else { return .null }
        members.append(JSONMember("status", .object(status)))
        return .object(members)
    }
}
