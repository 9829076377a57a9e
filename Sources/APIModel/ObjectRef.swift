import Manifests

/// One object by kind and name, printed as kubectl prints it: `dataset/churn`.
public struct ObjectRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: ManifestKind
    public var name: String

    public init(_ kind: ManifestKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `kind/name` as inventories store it.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let kind = ManifestKind.allCases.first(where: { $0.singular == parts[0] }) else { return nil }
        self.init(kind, String(parts[1]))
    }

    public var description: String { "\(kind.singular)/\(name)" }

    /// Dependency order first, then name: the order plans are printed and applied in.
    public static func < (a: ObjectRef, b: ObjectRef) -> Bool {
        (a.kind.applyOrder, a.name) < (b.kind.applyOrder, b.name)
    }
}

extension Manifest {
    public var ref: ObjectRef { ObjectRef(kind, name) }

    /// The objects this manifest names and needs to exist first.
    public var dependencies: Set<ObjectRef> {
        var out: Set<ObjectRef> = []
        for occurrence in occurrences {
            if case .reference(let kind) = occurrence.role, !(kind == self.kind && occurrence.value == name) {
                out.insert(ObjectRef(kind, occurrence.value))
            }
        }
        return out
    }
}

extension ObjectRef: Codable {
    /// On the wire an object reference is the string `kind/name`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let ref = ObjectRef(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "kind/name, e.g. dataset/churn")
        }
        self = ref
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
