/// Manifests that generated tests write into repositories: an experiment, or a dataset with a
/// one-column schema, each carrying a description that a commit can edit.
public enum GeneratedManifests {
    /// The YAML of one object; `experiment` false makes a Dataset.
    public static func text(experiment: Bool, name: String, description: String) -> String {
        experiment
            ? """
            apiVersion: datapilot.io/v1alpha1
            kind: Experiment
            metadata:
              name: \(name)
            spec:
              description: \(description)

            """
            : """
            apiVersion: datapilot.io/v1alpha1
            kind: Dataset
            metadata:
              name: \(name)
            spec:
              format: csv
              owner: team@example.com
              description: \(description)
              schema:
                columns:
                  - {name: id, type: integer, nullable: false}

            """
    }
}
