import Foundation
import Hummingbird
import Manifests
import ObjectAPI
import ObjectStore
import Postgres
import ServiceKit

extension VersionRoutes {
    /// `POST /api/datasets/{name}/versions/upload?name=V[&sha256=][&source_path=|&source_url=][&description=][&labels=][&annotations=]`:
    /// streams the body to a spool file while hashing it, stores it content-addressed and records
    /// the immutable version. A dry run checks everything and stores nothing.
    func upload(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let dataset = try context.parameters.require("name")
        let query = request.uri.queryParameters
        guard let name = query["name"].map(String.init), StringFormat.dnsSubdomain.accepts(name) else {
            throw Problem(
                .badRequest, title: "Bad version name",
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
                throw Problem(
                    .badRequest, title: "Bad source_path",
                    detail: "source_path must be \(StringFormat.relativePath.expectation), without ..")
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
        let (labels, annotations) = try VersionMetadata.fromQuery(request)
        guard try await pool.withConnection({ try DatasetRoutes.load(dataset, on: $0) }) != nil else {
            throw Problem.notFound("Dataset \"\(dataset)\"")
        }

        let spooled = try await SpooledBody.receive(request, into: spoolDirectory, limit: maxUploadBytes)
        defer { spooled.discard() }
        if let expected, expected != spooled.sha256 {
            throw Problem(
                .unprocessableContent, title: "Digest mismatch",
                detail: "the body's sha256 is \(spooled.sha256), not the expected \(expected); the upload was discarded")
        }
        // The request is its query and its content: a retry with the same key sends both again.
        let idempotency = try Idempotency.key(
            request, principal: principal, route: "POST /api/datasets/\(dataset)/versions/upload",
            body: Array((request.uri.description + "\n" + spooled.sha256).utf8))
        source.append(JSONMember("sha256", .string(spooled.sha256)))
        spec.append(JSONMember("source", .object(source)))
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let key = ObjectKey.forDigest(spooled.sha256)
        if !dryRun { try await store.put(file: spooled.path, key: key, contentType: contentType) }

        let draft = ObjectDraft(
            name: name, labels: labels, annotations: annotations, spec: .object(spec),
            ownColumns: Self.content(key: key, sha256: spooled.sha256, size: spooled.size, contentType: contentType))
        let outcome: (status: Int, body: String)
        do {
            // The content's lock, taken with the insert: a concurrent cleanup of this object waits for it (OrphanObjects).
            outcome = try await versions.create(
                draft, principal: principal, idempotency: idempotency, source: SourceContext(request: request, principal: principal),
                requestID: context.requestID, dryRun: dryRun
            ) { try OrphanObjects.lock(key, on: $0) }
        } catch {
            // Refused (409, 404) or failed: the object just stored may be referred to by nothing.
            if !dryRun { await OrphanObjects.removeIfUnreferenced(key, pool: pool, store: store) }
            throw error
        }
        // A cleanup that checked just before this insert committed removed the object we put: put it again.
        if !dryRun, try await store.size(key: key) == nil { try await store.put(file: spooled.path, key: key, contentType: contentType) }
        return Response.stored(outcome, location: "/api/datasets/\(dataset)/versions/\(name)")
    }
}
