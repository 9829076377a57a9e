/// `500ms`, `30s`, `5m`, `36h`, `720d`: the durations manifests (a freshness check's `maxAge`),
/// sources files and flags take. One parser for all of them.
public enum DurationText {
    /// Seconds in the duration; nil when the text is not one or is not above zero.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number > 0, number.isFinite else { return nil }
            return number * factor
        }
        return nil
    }
}
