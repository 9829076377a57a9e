import Manifests

/// The part of an object that desired and live states are compared on: its `UserOwned` part, so
/// server-owned fields never show as a difference. Keys are sorted and integral numbers made
/// integers, so that Postgres' jsonb ordering and number forms do not either.
public enum ComparableForm {
    public static func desired(_ manifest: Manifest, contentDigest: String?) -> JSONValue {
        var spec = manifest.spec
        if manifest.kind == .datasetVersion { spec = versionSpec(spec, digest: contentDigest) }
        return make(name: manifest.name, metadata: manifest.metadata, spec: spec)
    }

    public static func live(_ object: JSONValue) -> JSONValue {
        var spec = object["spec"] ?? .object([])
        if object["kind"]?.stringValue == ManifestKind.datasetVersion.rawValue {
            spec = versionSpec(spec, digest: spec["source"]?["sha256"]?.stringValue ?? object["status"]?["sha256"]?.stringValue)
        }
        return make(name: object["metadata"]?["name"]?.stringValue ?? "", metadata: object["metadata"] ?? .object([]), spec: spec)
    }

    static func make(name: String, metadata: JSONValue, spec: JSONValue) -> JSONValue {
        normalized(UserOwned.make(name: .string(name), metadata: metadata, spec: spec))
    }

    /// A version is its dataset, its description and its content: the content is the sha256
    /// (and the URL it is fetched from), not the path a checkout found the file at.
    static func versionSpec(_ spec: JSONValue, digest: String?) -> JSONValue {
        guard case .object(var members) = spec else { return spec }
        if let index = members.firstIndex(where: { $0.key == "source" }) {
            var source: [JSONMember] = []
            if let digest { source.append(JSONMember("sha256", .string(digest))) }
            if let url = members[index].value["url"] { source.append(JSONMember("url", url)) }
            members[index].value = .object(source)
        }
        return .object(members)
    }

    /// Sorted keys, integral doubles as integers.
    public static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(
                members.map { JSONMember($0.key, normalized($0.value)) }.sorted {
                    Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8))
                })
        case .array(let items):
            return .array(items.map(normalized))
        case .double(let d) where d.rounded() == d && abs(d) < 9e15:
            return .int(Int64(d))
        default:
            return value
        }
    }
}
