import Manifests

/// `PUT /api/applysets/<name>` and its answer: the objects an apply set manages, so that prune
/// deletes exactly what an earlier apply created and nothing it merely finds.
public struct ApplySetBody: WireBody, Hashable {
    public var members: [ObjectRef]

    public init(members: Set<ObjectRef>) {
        self.members = members.sorted()
    }

    public func validate() throws(BodyError) {
        for (index, member) in members.enumerated() where !StringFormat.dnsSubdomain.accepts(member.name) {
            throw BodyError("members[\(index)]", "name \"\(member.name)\" must be \(StringFormat.dnsSubdomain.expectation)")
        }
    }
}
