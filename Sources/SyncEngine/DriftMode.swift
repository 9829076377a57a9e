import Manifests

/// What happens when an object's live state drifts from its desired state, chosen per object by
/// the `datapilot.io/drift` annotation, else by the source's default, else `report`.
public enum DriftMode: String, Sendable, Hashable, CaseIterable {
    /// Reported (drift report, audit event, metric), left as it is.
    case report
    /// The desired state is applied again.
    case heal
    /// Neither reported nor healed.
    case ignore

    public static let annotation = "datapilot.io/drift"

    /// The manifest's mode; an unknown value is an error naming it.
    public static func of(_ manifest: Manifest, default fallback: DriftMode) -> Result<DriftMode, DriftModeError> {
        guard let value = manifest.annotations[annotation] else { return .success(fallback) }
        let trimmed = value.trimmingCharacters(in: .whitespaces).lowercased()
        guard let mode = DriftMode(rawValue: trimmed) else {
            return .failure(
                DriftModeError(description: "\(manifest.origin.location): \(annotation): \"\(value)\" is not one of report, heal, ignore"))
        }
        return .success(mode)
    }
}

public struct DriftModeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}
