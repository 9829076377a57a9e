import APIClient
import APIModel
import Foundation
import Manifests

/// An apply set's inventory on the server: the objects it manages, so that prune deletes
/// exactly what an earlier apply created and nothing it merely finds.
public struct Inventory: Sendable {
    public let name: String
    public let client: APIClient

    public init(name: String, client: APIClient) {
        self.name = name
        self.client = client
    }

    var path: String { APIPath.applySet(name) }

    /// The members, or nil when the apply set does not exist yet.
    public func load() async throws -> Set<ObjectRef>? {
        let response: APIClient.Response
        do {
            response = try await client.send("GET", path)
        } catch let error as APIError where error.code == .notFound {
            return nil
        }
        do {
            return Set(try JSONDecoder().decode(ApplySetBody.self, from: Data(response.body)).members)
        } catch {
            throw APIError(
                code: .other, status: response.status, problem: nil,
                message: "GET \(path): the apply set's members are not kind/name references (\(error))")
        }
    }

    /// Replaces the members (a PUT, so the client retries it like a read).
    public func save(_ members: Set<ObjectRef>, source: SourceInfo? = nil) async throws {
        let body = ApplySetBody(members: members)
        _ = try await client.send("PUT", path, body: body, headers: source?.headers(path: nil) ?? [])
    }
}
