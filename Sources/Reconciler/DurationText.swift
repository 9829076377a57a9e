import Manifests

extension ReconcilerConfiguration {
    /// Seconds in a duration such as `500ms`, `30s`, `5m` or `1h`; nil when it is not one.
    public static func seconds(_ text: String) -> Double? { DurationText.seconds(text) }
}
