import APIClient
import APIModel
import HTTPTypes
import Hummingbird
import Manifests

/// Downloads through the UI: a stored dataset version and a run's artifacts. The browser holds
/// only a session cookie, so the UI fetches the body from the gateway with the user's own token
/// and hands it on chunk by chunk as it arrives (never whole in memory, nothing on disk). The
/// object's metadata is read first: a missing object or a refused role is a page, not a broken
/// file. An external version is not stored here: its download is its own URL.
extension UIRoutes {
    func versionDownload(_ session: UISessions.Session, dataset: String, version: String) async throws -> Response {
        let path = "/api/datasets/\(APIPath.segment(dataset))/versions/\(APIPath.segment(version))"
        let object = try await gateway.get(path, token: session.token)
        let status = object["status"]
        guard status?["stored"]?.boolValue == true, let size = status?["size"]?.numberValue else {
            guard let url = object["spec"]?["source"]?["url"]?.stringValue, url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw APIError(code: .notFound, status: 404, problem: nil, message: "the stored content of version \"\(version)\"")
            }
            return UIResponse.redirect(url)
        }
        return stream(
            path + "/download", session: session, size: Int64(size), filename: version,
            contentType: status?["contentType"]?.stringValue, sha256: status?["sha256"]?.stringValue)
    }

    func artifactDownload(_ session: UISessions.Session, run: String, artifact: String) async throws -> Response {
        let base = "/api/experiment-runs/\(APIPath.segment(run))/artifacts"
        let list = try await gateway.get(base, token: session.token)
        guard let item = list["items"]?.arrayValue?.first(where: { $0["name"]?.stringValue == artifact }),
            let size = item["size"]?.numberValue
        else {
            throw APIError(code: .notFound, status: 404, problem: nil, message: "artifact \"\(artifact)\" of run \"\(run)\"")
        }
        return stream(
            base + "/" + APIPath.segment(artifact), session: session, size: Int64(size), filename: artifact,
            contentType: item["contentType"]?.stringValue, sha256: item["sha256"]?.stringValue)
    }

    /// An evaluation's stored report (JSON), as `GET /api/evaluations/{id}/report` gives it.
    func evaluationReport(_ session: UISessions.Session, id: String) async throws -> Response {
        let path = "/api/evaluations/" + APIPath.segment(id)
        let evaluation = try await gateway.get(path, token: session.token)
        guard evaluation["state"]?.stringValue == "DONE" else {
            throw APIError(code: .notFound, status: 404, problem: nil, message: "the report of evaluation \"\(id)\": it has not finished")
        }
        return stream(
            path + "/report", session: session, size: nil, filename: "evaluation-\(id)-report.json", contentType: "application/json",
            sha256: nil)
    }

    /// The body of `GET path` as the response, with the length (when known), type and digest the
    /// metadata gave; without a length it goes out chunked.
    func stream(
        _ path: String, session: UISessions.Session, size: Int64?, filename: String, contentType: String?, sha256: String?
    ) -> Response {
        let download = gateway.client.download(path, headers: [("Authorization", "Bearer \(session.token)")])
        var headers = UIResponse.headers(contentType: contentType ?? "application/octet-stream")
        if let size { headers[.contentLength] = String(size) }
        // Names are letters, digits, '.', '_' and '-' (the API's rule); kept to those here too.
        let safe = String(
            filename.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || "0123456789._-".unicodeScalars.contains($0)) })
        headers[.contentDisposition] = "attachment; filename=\"\(safe.isEmpty ? "download" : safe)\""
        if let sha256 { headers[.eTag] = "\"\(sha256)\"" }
        let body = ResponseBody { writer in
            do {
                while let chunk = try await download.next() { try await writer.write(ByteBuffer(bytes: chunk)) }
            } catch {
                // The browser went away, or the gateway's answer broke off: stop the transfer, and
                // end this response short of its length so the browser knows the file is incomplete.
                download.cancel()
                throw error
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
