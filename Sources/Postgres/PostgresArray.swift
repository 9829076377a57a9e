/// Postgres array literals for parameters such as `unnest($n::text[])` bulk writes and
/// `= any($n::text[])` filters: each text quoted, backslashes and quotes escaped.
public enum PostgresArray {
    public static func text(_ values: [String]) -> String {
        "{"
            + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    public static func numbers(_ values: [some CustomStringConvertible]) -> String {
        "{" + values.map(\.description).joined(separator: ",") + "}"
    }
}
