import Hummingbird
import ServiceKit

/// A field a collection can be filtered by, as `?parameter=value` (`/api/runs?state=RUNNING`,
/// `/api/datasetversions?admission=Quarantined`): one column compared for equality with one of
/// a closed set of values. A value outside the set is a 400 naming the parameter and the set.
public struct ListFilter: Sendable {
    public var parameter: String
    public var column: String
    public var values: [String]

    public init(_ parameter: String, column: String, values: [String]) {
        self.parameter = parameter
        self.column = column
        self.values = values
    }

    /// The filters `request` asks for, as (column, value) pairs.
    public static func requested(by request: Request, from filters: [ListFilter]) throws -> [(column: String, value: String)] {
        try filters.compactMap { filter in
            guard let raw = request.uri.queryParameters[Substring(filter.parameter)].map(String.init) else { return nil }
            guard filter.values.contains(raw) else {
                throw Problem(
                    .badRequest, title: "Bad \(filter.parameter)",
                    detail: "\(filter.parameter) must be one of \(filter.values.joined(separator: ", ")), got \"\(raw)\"")
            }
            return (filter.column, raw)
        }
    }

    /// Whether the request asks for the number of matching objects (`?count=true`), answered
    /// as `total_size` beside the page: one `count(*)` over the same filter.
    public static func wantsCount(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters["count"].map(String.init) {
        case nil, "false": return false
        case "true": return true
        case let other?: throw Problem(.badRequest, title: "Bad count", detail: "count must be true or false, got \"\(other)\"")
        }
    }
}
