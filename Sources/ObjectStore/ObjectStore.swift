/// Where dataset versions, reports, artifacts and evidence bundles live. Objects are immutable
/// and content-addressed: the key is derived from the content's sha256 (`ObjectKey.forDigest`).
/// A few small objects have a well-known name instead (the audit checkpoints): `putNamed`
/// replaces what such a name holds, `getNamed` reads it.
///
/// Every method streams: bodies move between the store and local files, never whole in memory.
public protocol ObjectStore: Sendable {
    /// For logs and `/readyz`: `file:///var/lib/datapilot/objects` or `s3://bucket (endpoint)`.
    var description: String { get }

    /// Stores the local file at `path` under `key`. The file is left in place.
    /// Storing the same key again is harmless (content addressing makes it the same bytes).
    func put(file path: String, key: String, contentType: String) async throws

    /// The object's size in bytes, or nil when there is no such object.
    func size(key: String) async throws -> Int64?

    /// Writes the object, or the inclusive byte range of it, to the local file at `path`.
    func get(key: String, range: ClosedRange<Int64>?, to path: String) async throws

    func delete(key: String) async throws

    /// Stores `bytes` under the name `key`, replacing whatever it held; readers see the old
    /// object or the new one, never a mix. For small named objects only (held in memory).
    func putNamed(_ bytes: [UInt8], key: String, contentType: String) async throws

    /// The bytes stored under the name `key`, or nil when there is none. An object larger than
    /// `maximumBytes` is refused (`.rejected`) rather than read.
    func getNamed(key: String, maximumBytes: Int) async throws -> [UInt8]?

    /// Throws unless the store can be read and written now (for `/readyz`); a store that is only
    /// full passes (reads go on, and a write refused for space is a 507 of its own).
    func checkReachable() async throws
}

public enum ObjectKey {
    /// `sha256/ab/abcdef...`: the key for content with this hex digest.
    public static func forDigest(_ sha256: String) -> String {
        "sha256/\(sha256.prefix(2))/\(sha256)"
    }
}

public struct ObjectStoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        let raw: String
        public static let notFound = Code(raw: "notFound")
        public static let unreachable = Code(raw: "unreachable")
        public static let rejected = Code(raw: "rejected")
        public static let io = Code(raw: "io")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
