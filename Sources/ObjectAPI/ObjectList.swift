import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// One page of a table ordered by name, optionally filtered by a label selector.
public enum ObjectList {
    /// Up to `page.size + 1` rows (the extra one says whether another page follows).
    public static func rows(
        of table: String, columns: String, page: PageRequest, selector: LabelSelector?,
        labelsColumn: String = "labels", on connection: Connection
    ) throws -> [Row] {
        var conditions: [String] = []
        var parameters: [String?] = []
        if let after = page.after {
            parameters.append(after)
            conditions.append("name > $1")
        }
        if let selector {
            let (sql, values) = selector.sql(column: labelsColumn, firstParameter: parameters.count + 1)
            conditions += sql
            parameters += values.map { $0 }
        }
        parameters.append(String(page.size + 1))
        let condition = conditions.isEmpty ? "" : "where " + conditions.joined(separator: " and ")
        return try connection.query("select \(columns) from \(table) \(condition) order by name limit $\(parameters.count)", parameters)
    }

    /// `{"items": [...], "next_page_token": ...}`.
    public static func response(_ rows: [Row], page: PageRequest, item: (Row) -> JSONValue) -> Response {
        let items = rows.prefix(page.size).map(item)
        var members = [JSONMember("items", .array(items))]
        if rows.count > page.size, let last = items.last?["metadata"]?["name"]?.stringValue {
            members.append(JSONMember("next_page_token", .string(PageRequest.token(after: last))))
        }
        return Response.json(.object(members))
    }
}
