import Crypto
import YAML

/// Where a manifest came from: the file as the user named it, the document, and positions.
public struct ManifestOrigin: Sendable, Hashable {
    public var file: String
    public var documentIndex: Int
    /// Start of the document's top-level mapping.
    public var mark: Mark
    /// Position of `metadata.name`'s value.
    public var nameMark: Mark

    public var location: String { "\(file):\(nameMark.line):\(nameMark.column)" }
}

/// A validated manifest: its identity, its JSON form and the digest of its canonical bytes.
public struct Manifest: Sendable {
    public var kind: ManifestKind
    public var name: String
    /// `{"apiVersion", "kind", "metadata", "spec"}` in written order.
    public var body: JSONValue
    public var origin: ManifestOrigin
    /// References, columns, data paths and patterns found in it, with their positions.
    public var occurrences: [StringOccurrence]

    public init(kind: ManifestKind, name: String, body: JSONValue, origin: ManifestOrigin, occurrences: [StringOccurrence] = []) {
        self.kind = kind
        self.name = name
        self.body = body
        self.origin = origin
        self.occurrences = occurrences
    }

    public var metadata: JSONValue { body["metadata"] ?? .object([]) }
    public var spec: JSONValue { body["spec"] ?? .object([]) }

    public var labels: [String: String] {
        var out: [String: String] = [:]
        for member in metadata["labels"]?.objectValue ?? [] { out[member.key] = member.value.stringValue }
        return out
    }

    public var annotations: [String: String] {
        var out: [String: String] = [:]
        for member in metadata["annotations"]?.objectValue ?? [] { out[member.key] = member.value.stringValue }
        return out
    }

    /// Canonical JSON of the whole manifest (sorted keys, no whitespace).
    public var canonicalJSON: [UInt8] { body.canonicalJSON }

    /// `sha256:` and the hex digest of `canonicalJSON`: equal content, equal digest.
    public var digest: String {
        "sha256:" + Hex.encode(SHA256.hash(data: canonicalJSON))
    }
}
