import Manifests
import SyncEngine

/// Manifests from YAML text, through the real loader.
func manifests(_ yaml: String) -> [Manifest] {
    let set = ManifestLoader(options: LoadOptions(allowExternalReferences: true)).load([.bytes(name: "test.yaml", Array(yaml.utf8))])
    precondition(set.isValid, "fixture is invalid: \(set.errors.map(\.message))")
    return set.manifests
}

func dataset(_ name: String, labels: String = "{team: growth}", annotations: String = "{}", format: String = "csv") -> String {
    """
    apiVersion: datapilot.io/v1alpha1
    kind: Dataset
    metadata: {name: \(name), labels: \(labels), annotations: \(annotations)}
    spec: {format: \(format), owner: growth@example.com, description: Churn}
    ---

    """
}

/// A live object as the server returns it: jsonb key order, server-owned fields, status.
func liveDataset(_ name: String, labels: JSONValue = ["team": "growth"], annotations: JSONValue = .object([]), format: String = "csv")
    -> JSONValue
{
    [
        "apiVersion": "datapilot.io/v1alpha1", "kind": "Dataset",
        "metadata": [
            "name": .string(name), "labels": labels, "annotations": annotations, "uid": "0b1c", "resourceVersion": "3",
            "createdAt": "2026-11-01T00:00:00.000Z", "updatedAt": "2026-11-02T00:00:00.000Z", "createdBy": "admin", "updatedBy": "ci",
        ],
        // Postgres' jsonb orders keys by length: not the order the manifest wrote them in.
        "spec": ["owner": "growth@example.com", "format": .string(format), "description": "Churn"],
    ]
}
