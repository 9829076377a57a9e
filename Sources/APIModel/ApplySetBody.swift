import Manifests

/// `PUT /api/applysets/<name>` and its answer: the objects an apply set manages, so that prune
/// deletes exactly what an earlier apply created and nothing it merely finds.
public struct ApplySetBody: WireBody, Hashable {
    public var members: [ObjectRef]

    /// An apply set may list this many members (a source of that many manifests): far past the
    /// 100,000 values other bodies may have, so both sides parse it with `maxJSONValues`.
    public static let maxMembers = 500_000
    /// The JSON values an apply set's body or answer may hold: its members and its metadata.
    public static let maxJSONValues = maxMembers + 1000

    public init(members: Set<ObjectRef>) {
        self.members = members.sorted()
    }

    /// The weak validator a client holding an apply set names in `If-None-Match` (answered 304
    /// while unchanged): `W/"<metadata.resourceVersion>@<metadata.updatedAt>"`. The update time
    /// tells a deleted and re-created apply set (whose resourceVersion starts again) apart.
    public static func validator(resourceVersion: String, updatedAt: String) -> String {
        "W/\"\(resourceVersion)@\(updatedAt)\""
    }

    public func validate() throws(BodyError) {
        if members.count > Self.maxMembers {
            throw BodyError("members", "at most \(Self.maxMembers) members; split the source into several")
        }
        for (index, member) in members.enumerated() where !StringFormat.dnsSubdomain.accepts(member.name) {
            throw BodyError("members[\(index)]", "name \"\(member.name)\" must be \(StringFormat.dnsSubdomain.expectation)")
        }
    }
}
