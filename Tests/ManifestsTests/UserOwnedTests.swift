import Manifests
import Testing

@Suite struct UserOwnedTests {
    /// A version as the server answers it: what its author wrote, and what the server owns.
    let object: JSONValue = [
        "apiVersion": "datapilot.io/v1alpha1", "kind": "DatasetVersion",
        "metadata": [
            "name": "churn-1", "labels": ["tier": "gold"], "annotations": ["note": "October"],
            "uid": "5f0c", "resourceVersion": "3", "createdAt": "2026-10-01T00:00:00Z", "updatedAt": "2026-10-02T00:00:00Z",
            "createdBy": "alice", "updatedBy": "bob",
        ],
        "spec": ["dataset": "churn", "source": ["sha256": "ab"]],
        "status": ["sha256": "ab", "size": 12, "stored": true],
    ]

    @Test func keepsWhatTheAuthorWroteAndDropsWhatTheServerOwns() {
        #expect(
            UserOwned.of(object) == [
                "metadata": ["name": "churn-1", "labels": ["tier": "gold"], "annotations": ["note": "October"]],
                "spec": ["dataset": "churn", "source": ["sha256": "ab"]],
            ])
    }

    @Test func absentLabelsAnnotationsAndSpecAreEmpty() {
        let bare: JSONValue = ["kind": "Dataset", "metadata": ["name": "churn", "uid": "1"]]
        #expect(UserOwned.of(bare) == ["metadata": ["name": "churn", "labels": [:], "annotations": [:]], "spec": [:]])
        #expect(
            UserOwned.of(bare).canonicalJSON == UserOwned.of(["metadata": ["name": "churn", "labels": [:]], "spec": [:]]).canonicalJSON)
    }

    @Test func serverOwnedChangesDoNotChangeIt() throws {
        var members = try #require(object.objectValue)
        members.removeAll { $0.key == "status" }
        #expect(UserOwned.of(.object(members)) == UserOwned.of(object))
        let relabelled = UserOwned.make(
            name: "churn-1", metadata: ["labels": ["tier": "silver"], "annotations": ["note": "October"]],
            spec: object["spec"])
        #expect(relabelled != UserOwned.of(object))
    }

    @Test func aManifestsPartIsTheSameAsItsObjects() throws {
        let set = ManifestLoader(options: LoadOptions(allowExternalReferences: true)).load([
            .bytes(
                name: "v.yaml",
                Array(
                    """
                    apiVersion: datapilot.io/v1alpha1
                    kind: Dataset
                    metadata: {name: churn, labels: {tier: gold}}
                    spec: {format: csv, owner: growth}
                    """.utf8))
        ])
        #expect(set.errors.isEmpty, "\(set.errors.map(\.formatted))")
        let manifest = try #require(set.manifests.first)
        #expect(
            manifest.userOwned == [
                "metadata": ["name": "churn", "labels": ["tier": "gold"], "annotations": [:]],
                "spec": ["format": "csv", "owner": "growth"],
            ])
        #expect(manifest.userOwned == UserOwned.of(manifest.body))
    }
}
