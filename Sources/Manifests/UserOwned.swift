/// The part of an object its author writes: `metadata.name`, `metadata.labels`,
/// `metadata.annotations` and `spec`. It is what desired and live states are compared on, what
/// an audit event's before/after and a run's digest cover. What the server owns (`status`,
/// `metadata.uid`, `resourceVersion`, the timestamps, `createdBy`/`updatedBy`) never enters it,
/// and absent labels, annotations or spec are empty objects, so "not written" and "written
/// empty" are the same.
public enum UserOwned {
    /// `{"metadata": {"name", "labels", "annotations"}, "spec"}` of an API object or a manifest body.
    public static func of(_ object: JSONValue) -> JSONValue {
        make(name: object["metadata"]?["name"] ?? .null, metadata: object["metadata"], spec: object["spec"])
    }

    /// The same from its parts: a name, the metadata to take labels and annotations from, and a
    /// spec (one the caller has rewritten, say).
    public static func make(name: JSONValue, metadata: JSONValue?, spec: JSONValue?) -> JSONValue {
        .object([
            JSONMember(
                "metadata",
                .object([
                    JSONMember("name", name),
                    JSONMember("labels", metadata?["labels"] ?? .object([])),
                    JSONMember("annotations", metadata?["annotations"] ?? .object([])),
                ])),
            JSONMember("spec", spec ?? .object([])),
        ])
    }
}

extension Manifest {
    /// The manifest's user-owned part (see `UserOwned`).
    public var userOwned: JSONValue { UserOwned.make(name: .string(name), metadata: metadata, spec: spec) }
}
