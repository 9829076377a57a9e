import APIClient
import APIModel
import Foundation
import Manifests
import Synchronization

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

    /// The members, or nil when the apply set does not exist yet. With a `cache` holding the
    /// members as last read or written, the GET is conditional (`If-None-Match`): an unchanged
    /// apply set answers 304 and its members are not sent nor decoded again.
    public func load(cache: InventoryCache? = nil) async throws -> Set<ObjectRef>? {
        let cached = cache?.entry(name)
        let response: APIClient.Response
        do {
            response = try await client.send("GET", path, headers: cached.map { [("If-None-Match", $0.etag)] } ?? [])
        } catch let error as APIError where error.code == .notFound {
            cache?.forget(name)
            return nil
        } catch let error as APIError where error.status == 304 && cached != nil {
            return cached?.members
        }
        let members: Set<ObjectRef>
        do {
            members = Set(try JSONDecoder().decode(ApplySetBody.self, from: Data(response.body)).members)
        } catch {
            throw APIError(
                code: .other, status: response.status, problem: nil,
                message: "GET \(path): the apply set's members are not kind/name references (\(error))")
        }
        cache?.remember(name, etag: response.header("ETag"), members: members)
        return members
    }

    /// Replaces the members (a PUT, so the client retries it like a read).
    public func save(_ members: Set<ObjectRef>, source: SourceInfo? = nil, cache: InventoryCache? = nil) async throws {
        let body = ApplySetBody(members: members)
        cache?.forget(name)
        let response = try await client.send("PUT", path, body: body, headers: source?.headers(path: nil) ?? [])
        cache?.remember(name, etag: response.header("ETag"), members: members)
    }
}

/// The members of apply sets as a long-running client last read or wrote them, with their
/// `ETag`, so that `Inventory.load` reads an unchanged apply set with a 304 instead of its
/// whole member list (the reconciler's incremental syncs: one per commit).
public final class InventoryCache: Sendable {
    struct Entry: Sendable {
        var etag: String
        var members: Set<ObjectRef>
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    func entry(_ name: String) -> Entry? { entries.withLock { $0[name] } }

    func remember(_ name: String, etag: String?, members: Set<ObjectRef>) {
        entries.withLock { $0[name] = etag.map { Entry(etag: $0, members: members) } }
    }

    func forget(_ name: String) { entries.withLock { $0[name] = nil } }
}
