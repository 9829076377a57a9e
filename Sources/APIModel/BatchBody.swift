import Manifests

/// `POST /api/batch`: many objects, of one kind or several, written in one transaction: all of
/// them or none. Each object is created when it does not exist and updated when it does
/// (nothing written when unchanged); the server writes them in dependency order (datasets,
/// versions, rules, experiments, runs), so an object may need one earlier in the same batch.
public struct BatchRequest: WireBody, Hashable {
    /// The most objects one batch may carry.
    public static let maxObjects = 1000
    /// The largest body the server reads, in bytes.
    public static let maxBytes = 8 << 20

    public var objects: [BatchObject]

    public init(objects: [BatchObject]) {
        self.objects = objects
    }

    public func validate() throws(BodyError) {
        guard !objects.isEmpty else { throw BodyError("objects", "at least one object") }
        guard objects.count <= Self.maxObjects else {
            throw BodyError("objects", "at most \(Self.maxObjects) objects, not \(objects.count); split the batch")
        }
        var seen: [ObjectRef: Int] = [:]
        var keys: [String: Int] = [:]
        for (index, object) in objects.enumerated() {
            let ref: ObjectRef
            do {
                ref = try object.checkedRef()
            } catch {
                throw BodyError("objects[\(index)]" + (error.field.isEmpty ? "" : "." + error.field), error.expectation)
            }
            if let first = seen[ref] {
                throw BodyError("objects[\(index)]", "\(ref) once per batch; it is objects[\(first)] too")
            }
            seen[ref] = index
            if let key = object.idempotencyKey {
                if let first = keys[key] {
                    throw BodyError("objects[\(index)].idempotencyKey", "a key of its own; objects[\(first)] has it too")
                }
                keys[key] = index
            }
        }
    }
}

/// One object of a batch: the manifest as JSON, and for an update the ETag it was read at.
public struct BatchObject: WireBody, Hashable {
    /// The object, as a single create or update would send it.
    public var manifest: JSONValue
    /// `If-Match` for this object: refused (412) unless the object is still at that ETag, and
    /// 404 when it does not exist.
    public var ifMatch: String?
    /// Makes a replay answer this object's first result; the same key with another object is refused.
    public var idempotencyKey: String?
    /// Where this object came from, as the `X-DataPilot-Source-*` headers say it for a single
    /// write; each member given replaces the request's header.
    public var source: BatchSource?

    public init(manifest: JSONValue, ifMatch: String? = nil, idempotencyKey: String? = nil, source: BatchSource? = nil) {
        self.manifest = manifest
        self.ifMatch = ifMatch
        self.idempotencyKey = idempotencyKey
        self.source = source
    }

    /// `dataset/churn`, when the manifest names a known kind and a name.
    public var ref: ObjectRef? { try? checkedRef() }

    public func validate() throws(BodyError) { _ = try checkedRef() }

    func checkedRef() throws(BodyError) -> ObjectRef {
        guard manifest.objectValue != nil else { throw BodyError("manifest", "a JSON object (a manifest)") }
        guard let word = manifest["kind"]?.stringValue else {
            throw BodyError("manifest.kind", "required: one of \(ManifestKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kind = ManifestKind(rawValue: word) else {
            throw BodyError("manifest.kind", "one of \(ManifestKind.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(word)\"")
        }
        guard let name = manifest["metadata"]?["name"]?.stringValue, !name.isEmpty else {
            throw BodyError("manifest.metadata.name", "required: the object's name")
        }
        if let ifMatch, ifMatch.isEmpty || ifMatch.utf8.count > 255 {
            throw BodyError("ifMatch", "an ETag such as \"\\\"3\\\"\"")
        }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > 255 || !key.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) {
            throw BodyError("idempotencyKey", "1 to 255 visible ASCII characters")
        }
        return ObjectRef(kind, name)
    }
}

/// The provenance of one object of a batch, member for member the `X-DataPilot-Source-*`
/// headers (`ProvenanceHeader`); values are cut at 512 bytes, as the headers are.
public struct BatchSource: Codable, Sendable, Hashable {
    public var repository: String?
    public var commit: String?
    public var author: String?
    public var path: String?
    public var tool: String?
    public var committer: String?
    public var merge: String?
    public var attribution: String?

    public init() {}

    /// The values `SourceInfo.headers(path:)` would send for a write of the object from `path`.
    public init(_ info: SourceInfo, path: String?) {
        for (name, value) in info.headers(path: path) {
            switch ProvenanceHeader(rawValue: name) {
            case .repository?: repository = value
            case .commit?: commit = value
            case .author?: author = value
            case .path?: self.path = value
            case .tool?: tool = value
            case .committer?: committer = value
            case .merge?: merge = value
            case .attribution?: attribution = value
            case nil: break
            }
        }
    }

    /// The value for one header, if given.
    public subscript(header: ProvenanceHeader) -> String? {
        switch header {
        case .repository: repository
        case .commit: commit
        case .author: author
        case .path: path
        case .tool: tool
        case .committer: committer
        case .merge: merge
        case .attribution: attribution
        }
    }
}
