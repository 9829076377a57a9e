import APIClient
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

    var path: String { "/api/applysets/" + KindRoutes.segment(name) }

    /// The members, or nil when the apply set does not exist yet.
    public func load() async throws -> Set<ObjectRef>? {
        let object: JSONValue
        do {
            object = try await client.send("GET", path).json
        } catch let error as APIError where error.code == .notFound {
            return nil
        }
        return Set((object["members"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(ObjectRef.init) })
    }

    /// Replaces the members (a PUT, so the client retries it like a read).
    public func save(_ members: Set<ObjectRef>, source: SourceInfo? = nil) async throws {
        let body = JSONValue.object([JSONMember("members", .array(members.sorted().map { .string($0.description) }))])
        _ = try await client.send("PUT", path, json: body, headers: source?.headers(path: nil) ?? [])
    }
}
