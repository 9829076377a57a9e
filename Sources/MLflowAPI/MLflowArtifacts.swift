import Experiments
import Foundation
import HTTPTypes
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// MLflow's artifact proxy (`mlflow-artifacts:/<experiment>/<run>/artifacts/<path>`, served at
/// `/api/2.0/mlflow-artifacts/artifacts/...`): files go where a run's artifacts go (content-addressed
/// in the object store, listed in `run_artifacts` under their path), with the run API's rule on
/// who may write and read them. An artifact never changes: the same path with other content is refused.
struct MLflowArtifacts: Sendable {
    let pool: ConnectionPool
    let services: RunServices
    let spoolDirectory: String
    let maxUploadBytes: Int64

    static let root = "/api/2.0/mlflow-artifacts/artifacts"

    func register(_ on: (HTTPRequest.Method, String, @escaping @Sendable (Request, APIRequestContext) async throws -> Response) -> Void) {
        on(.put, Self.root + "/**") { request, context in
            if context.principal == nil { try context.require(.editor) }
            let location = try Self.location(context.parameters.getCatchAll())
            guard !location.path.isEmpty else { throw MLflowError.invalid("the artifact path names no file below the run's artifacts") }
            let principal = try await pool.withConnection { connection in
                try Self.check(location, context, .report, on: connection)
            }
            let spooled = try await SpooledBody.receive(request, into: spoolDirectory, limit: maxUploadBytes)
            defer { spooled.discard() }
            try await services.recordArtifact(
                run: location.run, name: location.path, spooled: spooled,
                contentType: request.headers[.contentType] ?? "application/octet-stream", actor: principal.subject,
                requestID: context.requestID)
            return Response.json([:])
        }
        on(.get, Self.root + "/**") { request, context in
            let location = try Self.location(context.parameters.getCatchAll())
            try await pool.withConnection { connection in _ = try Self.check(location, context, .read, on: connection) }
            guard let response = try await services.artifactDownload(request, context: context, run: location.run, name: location.path)
            else {
                throw MLflowError.missing("No artifact '\(location.path)' in run \(location.run)")
            }
            return response
        }
        on(.get, Self.root) { request, context in
            let raw = try await MLflowRequest.read(request, context).string("path") ?? ""
            let location = try Self.location(raw.split(separator: "/", omittingEmptySubsequences: true))
            let artifacts = try await pool.withConnection { connection -> [RunServices.Artifact] in
                _ = try Self.check(location, context, .read, on: connection)
                return try RunServices.artifacts(run: location.run, on: connection)
            }
            return Response.json(["files": .array(Self.listing(artifacts, below: location.path))])
        }
    }

    /// The run and the path below its artifacts that a URL's segments name.
    struct Location: Sendable {
        var experiment: String
        var run: String
        var path: String
    }

    static func location(_ segments: [Substring]) throws -> Location {
        let parts = try segments.map { segment -> String in
            guard let text = String(segment).removingPercentEncoding else {
                throw MLflowError.invalid("the artifact path has a bad percent-encoding in '\(segment)'")
            }
            return text
        }
        guard parts.count >= 3, parts[2] == "artifacts" else {
            throw MLflowError.invalid(
                "the artifact path must be <experiment_id>/<run_id>/artifacts[/<path>], as the run's artifact_uri says; got '\(parts.joined(separator: "/"))'"
            )
        }
        let path = parts.dropFirst(3)
        for part in path {
            guard part != ".", part != "..", !part.contains("\\"), part.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f })
            else {
                throw MLflowError.invalid(
                    "Invalid artifact path: '\(path.joined(separator: "/"))' (no '.', '..', backslashes or control characters)")
            }
        }
        let joined = path.joined(separator: "/")
        guard joined.utf8.count <= 1024 else { throw MLflowError.invalid("the artifact path is over 1024 bytes") }
        return Location(experiment: parts[0], run: parts[1], path: joined)
    }

    /// The caller may act on the run, and the run belongs to the experiment the path names.
    static func check(_ location: Location, _ context: APIRequestContext, _ need: RunServices.Need, on connection: Connection) throws
        -> Principal
    {
        let principal = try MLflowRuns.access(context, run: location.run, need, on: connection)
        let record = try RunRecord.load(location.run, on: connection)
        guard let record, MLflowNames.experimentID(record.experiment) == location.experiment else {
            throw MLflowError.missing("Run with id=\(location.run) not found in experiment \(location.experiment)")
        }
        return principal
    }

    /// The files and folders directly below `folder` (relative to it), as MLflow lists them.
    static func listing(_ artifacts: [RunServices.Artifact], below folder: String) -> [JSONValue] {
        let prefix = folder.isEmpty ? "" : folder + "/"
        var folders: Set<String> = []
        var files: [JSONValue] = []
        for artifact in artifacts where artifact.name.hasPrefix(prefix) {
            let rest = artifact.name.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                folders.insert(String(rest[..<slash]))
            } else if !rest.isEmpty {
                files.append(["path": .string(String(rest)), "is_dir": false, "file_size": .int(artifact.size)])
            }
        }
        return folders.sorted().map { ["path": .string($0), "is_dir": true] } + files
    }
}
