import Foundation
import HTTPTypes
import Hummingbird
import Manifests

extension Request {
    /// The body as JSON bytes: 415 unless the content type is JSON, 413 past `limit` (at once when
    /// the declared length is over it).
    public func jsonBody(context: APIRequestContext, limit: Int = 1 << 20) async throws -> [UInt8] {
        let type = headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" || type?.hasSuffix("+json") == true else {
            throw Problem(
                .unsupportedMediaType, title: "Unsupported media type",
                detail: "send the body as application/json (got \(type ?? "no Content-Type"))")
        }
        if let declared = headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Problem(.contentTooLarge, title: "Body too large", detail: "the body is over \(limit) bytes")
        }
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw Problem(.contentTooLarge, title: "Body too large", detail: "the body is over \(limit) bytes")
        }
    }

    /// The body as a JSON object (400 naming the parse error otherwise).
    public func jsonObject(context: APIRequestContext, limit: Int = 1 << 20) async throws -> JSONValue {
        switch JSONText.parse(try await jsonBody(context: context, limit: limit)) {
        case .success(let value) where value.objectValue != nil: return value
        case .success: throw Problem(.badRequest, title: "Bad body", detail: "the body must be a JSON object")
        case .failure(let error): throw Problem(.badRequest, title: "Bad JSON", detail: "the body is not valid JSON: \(error)")
        }
    }

    /// The body decoded as an object of `kind` with the manifest model (422 listing every problem).
    public func manifest(of kind: ManifestKind, context: APIRequestContext) async throws -> Manifest {
        switch APIDecoding.decode(try await jsonBody(context: context), kind: kind) {
        case .success(let manifest): return manifest
        case .failure(let invalid): throw Problem.invalid(invalid)
        }
    }
}

extension Response {
    /// A JSON response.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.jsonString(pretty: false).utf8)))
    }
}
