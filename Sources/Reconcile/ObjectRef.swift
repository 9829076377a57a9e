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
