/// How every API answer writes a timestamptz column: RFC 3339 in UTC with milliseconds.
public enum SQLTime {
    /// `to_char(<column> at time zone 'UTC', ...) as <column>`, for a select list.
    public static func utc(_ column: String, as alias: String? = nil) -> String {
        #"to_char(\#(column) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as \#(alias ?? column)"#
    }
}
