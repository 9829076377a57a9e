import APIModel
import Manifests

extension APIClient {
    /// Sends a typed body. It is validated first, so a body the server would refuse is never
    /// sent: the error names the field, as the server's 422 would.
    public func send<Body: WireBody>(
        _ method: String, _ path: String, body: Body, headers: [(String, String)] = [],
        idempotencyKey: String? = nil, retrySafe: Bool = false
    ) async throws -> Response {
        do {
            try body.validate()
        } catch {
            throw APIError(code: .invalid, status: nil, problem: nil, message: "\(method) \(path): \(error) (not sent)")
        }
        return try await send(method, path, json: body.json, headers: headers, idempotencyKey: idempotencyKey, retrySafe: retrySafe)
    }
}
