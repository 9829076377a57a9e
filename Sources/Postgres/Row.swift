/// Column names of a result, shared by its rows.
public final class Columns: Sendable {
    public let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
    }
}

/// One result row, as text (libpq's text format); nil is SQL NULL.
public struct Row: Sendable {
    public let columns: Columns
    public let values: [String?]

    public subscript(_ i: Int) -> String? { values[i] }

    /// The value of a column by name; a name not in the result is a programming error.
    public subscript(_ name: String) -> String? {
        guard let i = columns.index[name] else { preconditionFailure("no column \(name) in \(columns.names)") }
        return values[i]
    }

    public func int(_ name: String) -> Int64? { self[name].flatMap { Int64($0) } }
    public func bool(_ name: String) -> Bool? { self[name].map { $0 == "t" } }
}
