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
    /// members as last read or written, the GET is conditional (`If-None-Match` with the apply
    /// set's weak validator, `ApplySetBody.validator`): an unchanged apply set answers 304 and
    /// its members are neither sent nor decoded again.
    public func load(cache: InventoryCache? = nil) async throws -> Set<ObjectRef>? {
        let cached = cache?.entry(name)
        let response: APIClient.Response
        do {
            response = try await client.send("GET", path, headers: cached.map { [("If-None-Match", $0.validator)] } ?? [])
        } catch let error as APIError where error.code == .notFound {
            cache?.forget(name)
            return nil
        } catch let error as APIError where error.status == 304 && cached != nil {
            return cached?.members
        }
        let stored = try decode(response, "GET")
        cache?.remember(name, stored)
        return stored.members
    }

    /// Replaces the members (a PUT, so the client retries it like a read).
    public func save(_ members: Set<ObjectRef>, source: SourceInfo? = nil, cache: InventoryCache? = nil) async throws {
        let body = ApplySetBody(members: members)
        cache?.forget(name)
        let response = try await client.send("PUT", path, body: body, headers: source?.headers(path: nil) ?? [])
        if let cache { cache.remember(name, try decode(response, "PUT")) }
    }

    /// An apply set as the server answers it: its members and its validator.
    struct Stored: Decodable {
        struct Metadata: Decodable {
            var resourceVersion: String?
            var updatedAt: String?
        }

        var members: [ObjectRef]
        var metadata: Metadata?

        var validator: String? {
            guard let version = metadata?.resourceVersion, let updated = metadata?.updatedAt else { return nil }
            return ApplySetBody.validator(resourceVersion: version, updatedAt: updated)
        }
    }

    func decode(_ response: APIClient.Response, _ method: String) throws -> (members: Set<ObjectRef>, validator: String?) {
        do {
            let stored = try JSONDecoder().decode(Stored.self, from: Data(response.body))
            return (Set(stored.members), stored.validator)
        } catch {
            throw APIError(
                code: .other, status: response.status, problem: nil,
                message: "\(method) \(path): the apply set's members are not kind/name references (\(error))")
        }
    }
}

/// The members of apply sets as a long-running client last read or wrote them, with their
/// `ETag`, so that `Inventory.load` reads an unchanged apply set with a 304 instead of its
/// whole member list (the reconciler's incremental syncs: one per commit).
public final class InventoryCache: Sendable {
    struct Entry: Sendable {
        var validator: String
        var members: Set<ObjectRef>
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    func entry(_ name: String) -> Entry? { entries.withLock { $0[name] } }

    func remember(_ name: String, _ stored: (members: Set<ObjectRef>, validator: String?)) {
        entries.withLock { $0[name] = stored.validator.map { Entry(validator: $0, members: stored.members) } }
    }

    func forget(_ name: String) { entries.withLock { $0[name] = nil } }
}
