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
                    guard let ref = ref(of: object) else { continue }
                    live[ref] = object
                }
            }
            return live
        }
    }

    /// Up to this many objects of a kind are fetched one GET each; more, by listing the kind.
    public static let getLimit = 256

    /// The live state of just `refs` (an incremental sync): one GET per object, concurrently,
    /// for kinds with few of them; a list of the kind (filtered) for many, or for dataset versions
    /// whose dataset `datasets` does not name.
    public static func fetch(
        _ refs: Set<ObjectRef>, datasets: [ObjectRef: String], client: APIClient
    ) async throws -> [ObjectRef: JSONValue] {
        let byKind = Dictionary(grouping: refs, by: \.kind)
        var gets: [(ObjectRef, String)] = []
        var lists: Set<ManifestKind> = []
        for (kind, refs) in byKind {
            let addressable = refs.compactMap { ref -> (ObjectRef, String)? in
                if kind != .datasetVersion { return (ref, APIPath.item(ref, dataset: nil)) }
                return datasets[ref].map { (ref, APIPath.item(ref, dataset: $0)) }
            }
            if refs.count <= getLimit, addressable.count == refs.count { gets += addressable } else { lists.insert(kind) }
        }
        var live = try await fetch(lists, client: client).filter { refs.contains($0.key) }
        try await withThrowingTaskGroup(of: (ObjectRef, JSONValue?).self) { group in
            for (ref, path) in gets {
                group.addTask {
                    do {
                        return (ref, try await client.send("GET", path).json)
                    } catch let error as APIError where error.code == .notFound {
                        return (ref, nil)
                    }
                }
            }
            var missing: Set<ObjectRef> = []
            for try await (ref, object) in group {
                if let object, Self.ref(of: object) == ref {
                    live[ref] = object
                } else if ref.kind == .datasetVersion {
                    missing.insert(ref)
                }
            }
            // Not below the dataset its manifest names: it may be below another (which the plan refuses).
            if !missing.isEmpty {
                for (ref, object) in try await fetch([.datasetVersion], client: client) where missing.contains(ref) { live[ref] = object }
            }
        }
        return live
    }

    static func ref(of object: JSONValue) -> ObjectRef? {
        guard let kindName = object["kind"]?.stringValue, let kind = ManifestKind(rawValue: kindName),
            let name = object["metadata"]?["name"]?.stringValue
        else { return nil }
        return ObjectRef(kind, name)
    }
}
