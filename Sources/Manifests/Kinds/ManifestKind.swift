/// The five kinds of the manifest model.
public enum ManifestKind: String, Sendable, Hashable, CaseIterable, Codable {
    case dataset = "Dataset"
    case datasetVersion = "DatasetVersion"
    case qualityRule = "QualityRule"
    case experiment = "Experiment"
    case run = "Run"

    public static let apiVersion = "datapilot.io/v1alpha1"
    public static let group = "datapilot.io"
    public static let version = "v1alpha1"

    /// Lower-case plural, as in `dpctl get datasets` and the CRD's resource name.
    public var plural: String { rawValue.lowercased() + "s" }
    public var singular: String { rawValue.lowercased() }
    public var shortNames: [String] {
        switch self {
        case .dataset: return ["ds"]
        case .datasetVersion: return ["dsv"]
        case .qualityRule: return ["qr"]
        case .experiment: return ["exp"]
        case .run: return []
        }
    }

    /// Dependency order: creates go up this order, deletes down it.
    public var applyOrder: Int {
        switch self {
        case .dataset: return 0
        case .datasetVersion: return 1
        case .qualityRule: return 2
        case .experiment: return 3
        case .run: return 4
        }
    }

    public var summary: String {
        switch self {
        case .dataset: return "A dataset: its format, owner and column schema."
        case .datasetVersion: return "An immutable version of a dataset's data, from a file in the repository or a URL with its sha256."
        case .qualityRule: return "Quality checks run against every version of a dataset."
        case .experiment: return "An experiment: the datasets it uses and the metric it optimises."
        case .run: return "One run of an experiment: inputs, code, image, command and parameters."
        }
    }

    public var spec: ObjectType {
        switch self {
        case .dataset: return Schemas.dataset
        case .datasetVersion: return Schemas.datasetVersion
        case .qualityRule: return Schemas.qualityRule
        case .experiment: return Schemas.experiment
        case .run: return Schemas.run
        }
    }

    /// Accepts the kind's name in any case, its plural and its short names (`dpctl get ds`).
    public init?(argument: String) {
        let lowered = argument.lowercased()
        guard
            let kind = ManifestKind.allCases.first(where: {
                $0.singular == lowered || $0.plural == lowered || $0.shortNames.contains(lowered)
            })
        else { return nil }
        self = kind
    }
}

/// The model's declarations, one per kind, plus the envelope every manifest shares.
public enum Schemas {
    public static let metadata = ObjectType([
        Field("name", .formatted(.dnsSubdomain), required: true, "The object's name, its identity within its kind."),
        Field("labels", .map(keys: .labelKey, values: .formatted(.labelValue)), "Labels for selecting objects (`-l team=growth`)."),
        Field(
            "annotations", .map(keys: .annotationKey, values: .text),
            "Free-form annotations; some `datapilot.io/` keys steer the reconciler."),
    ])

    /// The top level of a manifest; `spec` is checked against the kind's own type.
    public static let envelope = ["apiVersion", "kind", "metadata", "spec"]
}
