import APIClient
import APIModel
import Foundation
import Manifests

/// How the UI reads and acts: the gateway's public HTTP API, with the signed-in user's own token,
/// exactly as `dpctl` would. The UI has no other way to the data, so the API's roles, run
/// scopes and audit apply to it unchanged.
public struct UIGateway: Sendable {
    let client: APIClient

    /// `url` is the gateway's address as this process reaches it (its own listener in the
    /// all-in-one process).
    public init(url: String) {
        client = APIClient(server: url, token: nil, maxAttempts: 2, timeoutSeconds: 30, commonHeaders: [("User-Agent", "datapilot-ui")])
    }

    /// `GET path` as `token`'s holder: the JSON answer, or `APIError`.
    func get(_ path: String, query: [(String, String)] = [], token: String) async throws -> JSONValue {
        let target = query.isEmpty ? path : path + "?" + APIPath.query(query)
        let response = try await client.send("GET", target, headers: [("Authorization", "Bearer \(token)")])
        return response.json
    }

    /// `POST path` with a JSON body as `token`'s holder.
    func post(_ path: String, json: JSONValue, token: String) async throws -> JSONValue {
        try await client.send("POST", path, json: json, headers: [("Authorization", "Bearer \(token)")]).json
    }

    /// Exchanges an API key for a token (`POST /auth/token`) and asks who it is (`GET /auth/whoami`).
    func signIn(key: String) async throws -> (token: String, subject: String, role: String, expires: Date) {
        let answer = try await client.send("POST", "/auth/token", headers: [("Authorization", "Bearer \(key)")]).json
        guard let token = answer["access_token"]?.stringValue, let role = answer["role"]?.stringValue else {
            throw APIError(code: .server, status: nil, problem: nil, message: "the gateway's /auth/token answer has no token")
        }
        let seconds = answer["expires_in"]?.numberValue ?? 0
        let whoami = try await get("/auth/whoami", token: token)
        return (token, whoami["subject"]?.stringValue ?? "?", role, Date().addingTimeInterval(seconds))
    }
}
