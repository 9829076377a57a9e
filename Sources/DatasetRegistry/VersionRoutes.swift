import Audit
import Foundation
import HTTPTypes
import Hummingbird
import Lineage
import Manifests
import ObjectStore
import Postgres
import ServiceKit

/// Dataset versions: a streaming upload that stores the content once (content-addressed) and
/// records an immutable version; list, get and a download that honours Range.
struct VersionRoutes: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore
    let spoolDirectory: String
    let maxUploadBytes: Int64

    func register(on router: APIRouter) {
        router.post("/api/datasets/:name/versions/upload") { request, context in try await upload(request, context) }
        router.get("/api/datasets/:name/versions") { request, context in try await list(request, context) }
        router.get("/api/datasets/:name/versions/:version") { _, context in
            try context.require(.viewer)
            let (dataset, version) = (try context.parameters.require("name"), try context.parameters.require("version"))
            guard let object = try await pool.withConnection({ try Self.load(version, dataset: dataset, on: $0) }) else {
                throw Problem.notFound("DatasetVersion \"\(version)\" of Dataset \"\(dataset)\"")
            }
            return Response.json(object, headers: [.eTag: "\"\(object["status"]?["sha256"]?.stringValue ?? "")\""])
        }
        router.get("/api/datasets/:name/versions/:version/download") { request, context in try await download(request, context) }
    }

    static func load(_ name: String, dataset: String, on connection: Connection) throws -> JSONValue? {
        try connection.query("select \(Objects.versionColumns) from dataset_versions where name = $1 and dataset = $2", [name, dataset])
            .first.map(Objects.version)
    }

    func upload(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.require(.editor)
        let dataset = try context.parameters.require("name")
        let query = request.uri.queryParameters
        guard let name = query["name"].map(String.init), StringFormat.dnsSubdomain.accepts(name) else {
            throw Problem(.badRequest, title: "Bad version name",
                          detail: "give the version a name with ?name=..., \(StringFormat.dnsSubdomain.expectation)")
        }
        let expected = query["sha256"].map(String.init)
        if let expected, !StringFormat.sha256Hex.accepts(expected) {
            throw Problem(.badRequest, title: "Bad sha256", detail: "sha256 must be \(StringFormat.sha256Hex.expectation)")
        }
        var spec: [JSONMember] = [JSONMember("dataset", .string(dataset))]
        if let description = query["description"] { spec.append(JSONMember("description", .string(String(description)))) }
        // Where the data came from, as the client says; the digest is the server's own.
        var source: [JSONMember] = []
        switch (query["source_path"].map(String.init), query["source_url"].map(String.init)) {
        case (let path?, nil):
            guard StringFormat.relativePath.accepts(path), !path.split(separator: "/").contains("..") else {
                throw Problem(.badRequest, title: "Bad source_path", detail: "source_path must be \(StringFormat.relativePath.expectation), without ..")
            }
            source.append(JSONMember("path", .string(path)))
        case (nil, let url?):
            guard StringFormat.url.accepts(url) else {
                throw Problem(.badRequest, title: "Bad source_url", detail: "source_url must be \(StringFormat.url.expectation)")
            }
            source.append(JSONMember("url", .string(url)))
        case (.some, .some):
            throw Problem(.badRequest, title: "Two sources", detail: "give source_path or source_url, not both")
        case (nil, nil): break
        }
        guard try await pool.withConnection({ try DatasetRoutes.load(dataset, on: $0) }) != nil else {
            throw Problem.notFound("Dataset \"\(dataset)\"")
        }

        let spooled = try await SpooledBody.receive(request.body, into: spoolDirectory, limit: maxUploadBytes)
        defer { spooled.discard() }
        if let expected, expected != spooled.sha256 {
            throw Problem(.unprocessableContent, title: "Digest mismatch",
                          detail: "the body's sha256 is \(spooled.sha256), not the expected \(expected); the upload was discarded")
        }
        source.append(JSONMember("sha256", .string(spooled.sha256)))
        spec.append(JSONMember("source", .object(source)))
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let key = ObjectKey.forDigest(spooled.sha256)
        try await store.put(file: spooled.path, key: key, contentType: contentType)

        let origin = SourceContext(request: request).json
        let requestID = context.requestID
        let specValue = JSONValue.object(spec)
        let (object, created) = try await pool.withTransaction { connection -> (JSONValue, Bool) in
            try connection.query("select pg_advisory_xact_lock(hashtext($1))", ["datasetversion/" + name])
            if let existing = try connection.query("select \(Objects.versionColumns) from dataset_versions where name = $1", [name]).first {
                guard existing["dataset"] == dataset else {
                    throw Problem(.conflict, title: "Name taken",
                                  detail: "DatasetVersion \"\(name)\" belongs to Dataset \"\(existing["dataset"]!)\"; version names are unique across datasets, so pick another")
                }
                guard existing["sha256"] == spooled.sha256 else {
                    throw Problem(.conflict, title: "Version is immutable",
                                  detail: "DatasetVersion \"\(name)\" already exists with other content (sha256 \(existing["sha256"]!)); versions never change: create a new version with a new name")
                }
                return (Objects.version(existing), false)
            }
            try connection.query("""
                insert into dataset_versions (name, dataset, uid, spec, object_key, sha256, size, content_type, created_by)
                values ($1, $2, gen_random_uuid(), $3::jsonb, $4, $5, $6, $7, $8)
                """, [name, dataset, specValue.jsonString(), key, spooled.sha256, String(spooled.size), contentType, principal.subject])
            let object = try Self.load(name, dataset: dataset, on: connection)!
            try AuditLog.append(AuditDraft(actor: principal.subject, action: "create", resource: "datasetversion/\(name)",
                                           requestID: requestID, after: Objects.desired(object).merging(status: object["status"]),
                                           source: origin), on: connection)
            try LineageStore.add(LineageEdge(from: LineageNode(kind: "dataset", name: dataset),
                                             to: LineageNode(kind: "datasetversion", name: name), relation: "has-version"), on: connection)
            return (object, true)
        }
        var headers: HTTPFields = [.eTag: "\"\(spooled.sha256)\""]
        if created { headers[.location] = "/api/datasets/\(dataset)/versions/\(name)" }
        return Response.json(object, status: created ? .created : .ok, headers: headers)
    }

    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let dataset = try context.parameters.require("name")
        let page = try PageRequest(request: request)
        let rows = try await pool.withConnection { connection -> [Row]? in
            guard try DatasetRoutes.load(dataset, on: connection) != nil else { return nil }
            return try connection.query("select \(Objects.versionColumns) from dataset_versions where dataset = $1 and name > $2 order by name limit $3",
                                        [dataset, page.after ?? "", String(page.size + 1)])
        }
        guard let rows else { throw Problem.notFound("Dataset \"\(dataset)\"") }
        let items = rows.prefix(page.size).map(Objects.version)
        var members = [JSONMember("items", .array(items))]
        if rows.count > page.size, let last = items.last?["metadata"]?["name"]?.stringValue {
            members.append(JSONMember("next_page_token", .string(PageRequest.token(after: last))))
        }
        return Response.json(.object(members))
    }

    func download(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let (dataset, version) = (try context.parameters.require("name"), try context.parameters.require("version"))
        guard let row = try await pool.withConnection({
            try $0.query("select object_key, sha256, size, content_type from dataset_versions where name = $1 and dataset = $2", [version, dataset]).first
        }) else {
            throw Problem.notFound("DatasetVersion \"\(version)\" of Dataset \"\(dataset)\"")
        }
        let size = row.int("size")!
        let key = row["object_key"]!
        var headers: HTTPFields = [
            .contentType: row["content_type"]!, .eTag: "\"\(row["sha256"]!)\"", .acceptRanges: "bytes",
            .contentDisposition: "attachment; filename=\"\(version)\"",
        ]
        var range: ClosedRange<Int64>?
        if let header = request.headers[.range] {
            switch ByteRange.parse(header, size: size) {
            case .ignored: break  // not a single byte range: RFC 9110 says serve the whole body
            case .satisfiable(let parsed): range = parsed
            case .unsatisfiable:
                throw Problem(.rangeNotSatisfiable, title: "Range not satisfiable",
                              detail: "\(header) is outside the \(size) bytes of this version",
                              headers: [.contentRange: "bytes */\(size)"])
            }
        }
        let (offset, length) = range.map { ($0.lowerBound, $0.upperBound - $0.lowerBound + 1) } ?? (0, size)
        let body: ResponseBody
        if size == 0 {
            body = ResponseBody()
        } else if let file = store as? FileObjectStore {
            body = fileBody(path: file.localPath(key: key), offset: offset, length: length, removeAfter: false)
        } else {
            let temporary = spoolDirectory + "/download-\(UUID().uuidString)"
            try await store.get(key: key, range: range, to: temporary)
            body = fileBody(path: temporary, offset: 0, length: length, removeAfter: true)
        }
        headers[.contentLength] = String(length)
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)" }
        return Response(status: range == nil ? .ok : .partialContent, headers: headers, body: body)
    }
}

/// `Range: bytes=a-b | a- | -n` (one range) within a body of `size` bytes.
enum ByteRange: Equatable {
    case satisfiable(ClosedRange<Int64>)
    case unsatisfiable
    /// Another unit, several ranges, or not a range at all: served as a whole.
    case ignored

    static func parse(_ header: String, size: Int64) -> ByteRange {
        guard header.hasPrefix("bytes=") else { return .ignored }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .ignored }
        let (start, end) = (spec[..<dash], spec[spec.index(after: dash)...])
        if start.isEmpty {
            guard let n = Int64(end) else { return .ignored }
            guard n > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - n)...(size - 1))
        }
        guard let a = Int64(start) else { return .ignored }
        guard a < size else { return .unsatisfiable }
        if end.isEmpty { return .satisfiable(a...(size - 1)) }
        guard let b = Int64(end), b >= a else { return .ignored }
        return .satisfiable(a...min(b, size - 1))
    }
}

extension JSONValue {
    /// This object with a `status` member added.
    func merging(status: JSONValue?) -> JSONValue {
        guard case .object(var members) = self, let status else { return self }
        members.append(JSONMember("status", status))
        return .object(members)
    }
}
