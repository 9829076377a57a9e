import APIModel
import Foundation
import HTTPTypes
import Hummingbird
import Manifests
import ObjectAPI
import ObjectStore
import Postgres
import ServiceKit
import URLPolicy

/// Dataset versions: a streaming upload that stores the content once (content-addressed) and
/// records an immutable version; list, get and a download (GET or HEAD) that honours Range.
struct VersionRoutes: Sendable {
    let pool: ConnectionPool
    let store: any ObjectStore
    let spoolDirectory: String
    let maxUploadBytes: Int64
    var externalURLs: ExternalURLPolicy = .standard

    func register(on router: APIRouter) {
        router.get("/api/datasetversions") { request, context in try await listAll(request, context) }
        router.post(
            "/api/datasets/:name/versions",
            DryRun.route { request, context, dryRun in try await register(request, context, dryRun: dryRun) })
        router.post(
            "/api/datasets/:name/versions/upload",
            DryRun.route { request, context, dryRun in try await upload(request, context, dryRun: dryRun) })
        router.get("/api/datasets/:name/versions") { request, context in try await list(request, context) }
        router.get("/api/datasets/:name/versions/:version") { _, context in
            try await versions.get(context, name: try context.parameters.require("version"), parent: try context.parameters.require("name"))
        }
        router.put(
            "/api/datasets/:name/versions/:version",
            DryRun.route { request, context, dryRun in
                try await versions.update(
                    request, context, name: try context.parameters.require("version"), parent: try context.parameters.require("name"),
                    dryRun: dryRun)
            })
        router.get("/api/datasets/:name/versions/:version/download") { request, context in try await download(request, context) }
        router.head("/api/datasets/:name/versions/:version/download") { request, context in try await download(request, context) }
    }

    func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let dataset = try context.parameters.require("name")
        let page = try PageRequest(request: request)
        let rows = try await pool.withConnection { connection -> [Row]? in
            guard try DatasetRoutes.load(dataset, on: connection) != nil else { return nil }
            return try connection.query(
                "select \(Objects.versionColumns) from dataset_versions where dataset = $1 and name > $2 order by name limit $3",
                [dataset, page.after ?? "", String(page.size + 1)])
        }
        guard let rows else { throw Problem.notFound("Dataset \"\(dataset)\"") }
        return ObjectList.response(rows, page: page, item: Objects.version)
    }

    /// `?admission=Quarantined` and the other admission states.
    static let filters = [ListFilter("admission", column: "admission", values: AdmissionState.allCases.map(\.rawValue))]

    /// Every version across datasets, by name, optionally filtered by labels and admission.
    func listAll(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try context.require(.viewer)
        let page = try PageRequest(request: request)
        let selector = try request.labelSelector
        let filters = try ListFilter.requested(by: request, from: Self.filters)
        let counted = try ListFilter.wantsCount(request)
        let (rows, total) = try await pool.withConnection { connection in
            try (
                ObjectList.rows(
                    of: "dataset_versions", columns: Objects.versionColumns, page: page, selector: selector, filters: filters,
                    on: connection),
                counted ? ObjectList.count(of: "dataset_versions", selector: selector, filters: filters, on: connection) : nil
            )
        }
        return ObjectList.response(rows, page: page, total: total, item: Objects.version)
    }

    func download(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (dataset, version) = (try context.parameters.require("name"), try context.parameters.require("version"))
        // A run-scoped token reads the versions its own (live) run declares as inputs, nothing else.
        if let principal = context.principal, principal.role == .runner {
            guard try await pool.withConnection({ try RunScope.mayRead(principal, version: version, on: $0) }) else {
                throw Problem(
                    .forbidden, title: "Forbidden",
                    detail:
                        "DatasetVersion \"\(version)\" is not an input of run \"\(principal.runID ?? "?")\"; a run-scoped token reads only its run's inputs"
                )
            }
        } else {
            try context.require(.viewer)
        }
        guard
            let row = try await pool.withConnection({
                try $0.query(
                    "select object_key, sha256, size, content_type, spec->'source'->>'url' as url from dataset_versions where name = $1 and dataset = $2",
                    [version, dataset]
                ).first
            })
        else {
            throw Problem.notFound("DatasetVersion \"\(version)\" of Dataset \"\(dataset)\"")
        }
        // An external version is not stored here: the caller fetches it from its URL (and checks the sha256).
        guard let key = row["object_key"], let size = row.int("size") else {
            guard let url = row["url"] else { throw Problem.notFound("the stored content of DatasetVersion \"\(version)\"") }
            // Checked again here: a version registered before the rule (or under a wider one) redirects nowhere it forbids.
            try ExternalVersionURL.checkDownload(url, version: version, policy: externalURLs)
            return Response(status: .temporaryRedirect, headers: [.location: url, .eTag: "\"\(row["sha256"]!)\""])
        }
        let stored = StoredDownload(
            key: key, size: size, sha256: row["sha256"]!, contentType: row["content_type"]!, filename: version, what: "this version")
        return try await stored.response(to: request, context: context, store: store, spoolDirectory: spoolDirectory)
    }
}
