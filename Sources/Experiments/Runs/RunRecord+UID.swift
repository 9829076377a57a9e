import Manifests

extension RunRecord {
    /// The run's unique id (`metadata.uid`): a later run of the same name has another.
    public var uid: String { object["metadata"]?["uid"]?.stringValue ?? "" }
}
