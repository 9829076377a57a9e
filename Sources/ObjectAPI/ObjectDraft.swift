import Manifests

/// What a create writes: the user-owned fields, and values for the kind's own columns beside
/// them (a DatasetVersion's stored content: object key, digest, size, content type).
public struct ObjectDraft: Sendable {
    public var name: String
    public var labels: JSONValue
    public var annotations: JSONValue
    public var spec: JSONValue
    /// Column and value, nil for SQL null.
    public var ownColumns: [(name: String, value: String?)]

    public init(
        name: String, labels: JSONValue = .object([]), annotations: JSONValue = .object([]), spec: JSONValue,
        ownColumns: [(name: String, value: String?)] = []
    ) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
        self.spec = spec
        self.ownColumns = ownColumns
    }

    public init(_ manifest: Manifest) {
        self.init(
            name: manifest.name, labels: manifest.metadata["labels"] ?? .object([]),
            annotations: manifest.metadata["annotations"] ?? .object([]), spec: manifest.spec)
    }
}
