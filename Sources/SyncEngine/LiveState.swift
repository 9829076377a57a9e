import APIClient
import APIModel
import Manifests

/// The live objects of the given kinds: one paged list per kind, fetched concurrently, never
/// one request per object.
public enum LiveState {
    public static func fetch(_ kinds: Set<ManifestKind>, client: APIClient) async throws -> [ObjectRef: JSONValue] {
        try await withThrowingTaskGroup(of: [JSONValue].self) { group in
            for kind in kinds { group.addTask { try await client.list(APIPath.list(kind)) } }
            var live: [ObjectRef: JSONValue] = [:]
            for try await objects in group {
                for object in objects {
                    guard let kindName = object["kind"]?.stringValue, let kind = ManifestKind(rawValue: kindName),
                        let name = object["metadata"]?["name"]?.stringValue
                    else { continue }
                    live[ObjectRef(kind, name)] = object
                }
            }
            return live
        }
    }
}
