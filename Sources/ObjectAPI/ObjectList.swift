import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// One page of a table ordered by name, optionally filtered by a label selector.
public enum ObjectList {
    /// Up to `page.size + 1` rows (the extra one says whether another page follows).
    public static func rows(
        of table: String, columns: String, page: PageRequest, selector: LabelSelector?,
        filters: [(column: String, value: String)] = [], labelsColumn: String = "labels", on connection: Connection
    ) throws -> [Row] {
        var (conditions, parameters) = self.conditions(selector: selector, filters: filters, labelsColumn: labelsColumn)
        if let after = page.after {
            parameters.append(after)
            conditions.append("name > $\(parameters.count)")
        }
        parameters.append(String(page.size + 1))
        let condition = conditions.isEmpty ? "" : "where " + conditions.joined(separator: " and ")
        return try connection.query("select \(columns) from \(table) \(condition) order by name limit $\(parameters.count)", parameters)
    }

    /// How many rows the same selector and filters match, every page together.
    public static func count(
        of table: String, selector: LabelSelector?, filters: [(column: String, value: String)] = [], labelsColumn: String = "labels",
        on connection: Connection
    ) throws -> Int64 {
        let (conditions, parameters) = self.conditions(selector: selector, filters: filters, labelsColumn: labelsColumn)
        let condition = conditions.isEmpty ? "" : "where " + conditions.joined(separator: " and ")
        return try connection.query("select count(*) as n from \(table) \(condition)", parameters).first?.int("n") ?? 0
    }

    static func conditions(selector: LabelSelector?, filters: [(column: String, value: String)], labelsColumn: String) -> (
        [String], [String?]
    ) {
        var conditions: [String] = []
        var parameters: [String?] = []
        for filter in filters {
            parameters.append(filter.value)
            conditions.append("\(filter.column) = $\(parameters.count)")
        }
        if let selector {
            let (sql, values) = selector.sql(column: labelsColumn, firstParameter: parameters.count + 1)
            conditions += sql
            parameters += values.map { $0 }
        }
        return (conditions, parameters)
    }

    /// `{"items": [...], "next_page_token": ...}`.
    public static func response(_ rows: [Row], page: PageRequest, total: Int64? = nil, item: (Row) -> JSONValue) -> Response {
        let items = rows.prefix(page.size).map(item)
        var members = [JSONMember("items", .array(items))]
        if rows.count > page.size, let last = items.last?["metadata"]?["name"]?.stringValue {
            members.append(JSONMember("next_page_token", .string(PageRequest.token(after: last))))
        }
        if let total { members.append(JSONMember("total_size", .int(total))) }
        return Response.json(.object(members))
    }
}
