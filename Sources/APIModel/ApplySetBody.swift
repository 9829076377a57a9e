import Manifests

/// `PUT /api/applysets/<name>` and its answer: the objects an apply set manages, so that prune
/// deletes exactly what an earlier apply created and nothing it merely finds.
public struct ApplySetBody: WireBody, Hashable {
    public var members: [ObjectRef]

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
        for (index, member) in members.enumerated() where !StringFormat.dnsSubdomain.accepts(member.name) {
            throw BodyError("members[\(index)]", "name \"\(member.name)\" must be \(StringFormat.dnsSubdomain.expectation)")
        }
    }
}
