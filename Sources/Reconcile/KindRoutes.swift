import APIClient
import Foundation
import Manifests

/// Where each kind lives in the API. Versions are listed across datasets but created and
/// changed below their dataset.
public enum KindRoutes {
    public static func list(_ kind: ManifestKind) -> String {
        "/api/" + kind.plural
    }

    public static func collection(_ kind: ManifestKind, dataset: String?) -> String {
        switch kind {
        case .datasetVersion: return "/api/datasets/\(segment(dataset ?? ""))/versions"
        default: return "/api/" + kind.plural
        }
    }

    public static func item(_ ref: ObjectRef, dataset: String?) -> String {
        collection(ref.kind, dataset: dataset) + "/" + segment(ref.name)
    }

    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
