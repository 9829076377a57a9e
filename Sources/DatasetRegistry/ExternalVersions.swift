import Hummingbird
import Manifests
import ObjectAPI
import Postgres
import ServiceKit
import URLPolicy

extension VersionRoutes {
    /// `POST /api/datasets/{name}/versions` with a DatasetVersion whose source is a URL and its
    /// sha256: an external version, recorded without storing its content (its download
    /// redirects to the URL). Files in a repository are uploaded with `.../versions/upload`.
    func register(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let dataset = try context.parameters.require("name")
        let body = try await request.jsonBody(context: context)
        let manifest: Manifest
        switch APIDecoding.decode(body, kind: .datasetVersion) {
        case .success(let m): manifest = m
        case .failure(let invalid): throw Problem.invalid(invalid)
        }
        let draft = try Self.externalDraft(manifest, policy: externalURLs)
        guard manifest.spec["dataset"]?.stringValue == dataset else {
            throw Problem(
                .unprocessableContent, title: "Dataset mismatch",
                detail:
                    "spec.dataset is \"\(manifest.spec["dataset"]?.stringValue ?? "")\" but the URL names Dataset \"\(dataset)\"; post the version below its own dataset"
            )
        }
        let idempotency = try Idempotency.key(request, principal: principal, route: "POST /api/datasets/\(dataset)/versions", body: body)
        let outcome = try await versions.create(
            draft, principal: principal, idempotency: idempotency, source: SourceContext(request: request, principal: principal),
            requestID: context.requestID, dryRun: dryRun)
        return Response.stored(outcome, location: "/api/datasets/\(dataset)/versions/\(manifest.name)")
    }

    /// What a create of the external version `manifest` inserts: its spec (dataset, description,
    /// url and sha256) and content columns. A `source.path` is refused (upload the file), and
    /// the URL is checked against `policy`. `POST /api/batch` creates versions with it too.
    static func externalDraft(_ manifest: Manifest, policy: ExternalURLPolicy) throws -> ObjectDraft {
        let dataset = manifest.spec["dataset"]?.stringValue ?? ""
        let source = manifest.spec["source"] ?? .object([])
        if source["path"] != nil {
            throw Problem(
                .badRequest, title: "Upload the file",
                detail:
                    "spec.source.path names a file, whose content the server needs: upload it with POST /api/datasets/\(dataset)/versions/upload?name=\(manifest.name)"
            )
        }
        guard let url = source["url"]?.stringValue, let sha256 = source["sha256"]?.stringValue else {
            throw Problem(.unprocessableContent, title: "Invalid object", detail: "spec.source needs url and sha256")
        }
        try ExternalVersionURL.checkRegistration(url, policy: policy)
        var spec: [JSONMember] = [JSONMember("dataset", .string(dataset))]
        if let description = manifest.spec["description"] { spec.append(JSONMember("description", description)) }
        spec.append(JSONMember("source", .object([JSONMember("url", .string(url)), JSONMember("sha256", .string(sha256))])))
        var draft = ObjectDraft(manifest)
        draft.spec = .object(spec)
        draft.ownColumns = content(key: nil, sha256: sha256, size: nil, contentType: "")
        return draft
    }
}
