/// `500ms`, `30s`, `5m`, `1h`: the durations a sources file and flags take.
enum DurationText {
    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number > 0, number.isFinite else { return nil }
            return number * factor
        }
        return nil
    }
}

extension ReconcilerConfiguration {
    /// Seconds in a duration such as `500ms`, `30s`, `5m` or `1h`; nil when it is not one.
    public static func seconds(_ text: String) -> Double? { DurationText.seconds(text) }
}
