import Foundation
import Manifests

/// Where things live in the API, for clients: every name that goes into a path is encoded by
/// `segment`, every query by `query`, so no caller interpolates a raw name into a URL.
/// Versions are listed across datasets but created and changed below their dataset.
public enum APIPath {
    public static func list(_ kind: ManifestKind) -> String {
        "/api/" + kind.plural
    }

    public static func collection(_ kind: ManifestKind, dataset: String?) -> String {
        switch kind {
        case .datasetVersion: return versions(of: dataset ?? "")
        default: return "/api/" + kind.plural
        }
    }

    public static func item(_ ref: ObjectRef, dataset: String?) -> String {
        collection(ref.kind, dataset: dataset) + "/" + segment(ref.name)
    }

    public static func versions(of dataset: String) -> String {
        "/api/datasets/\(segment(dataset))/versions"
    }

    public static func version(_ version: String, of dataset: String) -> String {
        versions(of: dataset) + "/" + segment(version)
    }

    public static func applySets() -> String { "/api/applysets" }

    public static func applySet(_ name: String) -> String { applySets() + "/" + segment(name) }

    public static func artifact(_ name: String, run: String) -> String {
        "/api/experiment-runs/\(segment(run))/artifacts/\(segment(name))"
    }

    /// Many objects written in one transaction (`BatchRequest`).
    public static let batch = "/api/batch"

    public static let auditEvents = "/api/audit/events"
    public static let auditVerify = "/api/audit/verify"
    public static let auditCheckpoints = "/api/audit/checkpoints"
    public static let auditCheckpointLatest = "/api/audit/checkpoints/latest"
    public static let evidenceKeys = "/.well-known/datapilot/evidence-keys"
    /// A QualityRule not yet applied, evaluated against a stored version; nothing is stored (`RuleDryRun`).
    public static let evaluationDryRun = "/api/evaluations/dry-run"

    /// One audit event by its sequence number.
    public static func auditEvent(_ sequence: Int64) -> String { auditEvents + "/" + String(sequence) }

    /// One path segment, percent-encoded: only unreserved characters (RFC 3986) stay as they are.
    public static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// `key=value&...`, each side percent-encoded like a segment.
    public static func query(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(segment($0.0))=\(segment($0.1))" }.joined(separator: "&")
    }

    static let unreserved: CharacterSet = {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()
}
