import Manifests
import Postgres

/// Filters of `GET /audit/events`.
public struct AuditFilter: Sendable {
    public var actor: String?
    public var resource: String?
    public var action: String?
    public var since: String?
    public var until: String?
    public var afterSequence: Int64?
    public var limit: Int
    /// Newest first; then `afterSequence` means "older than".
    public var descending: Bool
    /// Leave out events whose source tool (`source.tool`) is one of these.
    public var excludeTools: [String]

    public init(
        actor: String? = nil, resource: String? = nil, action: String? = nil, since: String? = nil,
        until: String? = nil, afterSequence: Int64? = nil, limit: Int = 100, descending: Bool = false, excludeTools: [String] = []
    ) {
        self.actor = actor
        self.resource = resource
        self.action = action
        self.since = since
        self.until = until
        self.afterSequence = afterSequence
        self.limit = limit
        self.descending = descending
        self.excludeTools = excludeTools
    }
}

/// The outcome of walking the chain.
public struct ChainVerification: Sendable {
    public var valid: Bool
    public var checked: Int64
    public var headSequence: Int64
    public var headHash: String
    /// The first entry whose hash or link does not hold, and why.
    public var firstBroken: Int64?
    public var reason: String?

    public var json: JSONValue {
        var members: [JSONMember] = [
            JSONMember("valid", .bool(valid)), JSONMember("checked", .int(checked)),
            JSONMember("head_sequence", .int(headSequence)), JSONMember("head_hash", .string(headHash)),
        ]
        if let firstBroken { members.append(JSONMember("first_broken_sequence", .int(firstBroken))) }
        if let reason { members.append(JSONMember("reason", .string(reason))) }
        return .object(members)
    }
}

extension AuditLog {
    public static func events(_ filter: AuditFilter, on connection: Connection) throws -> [AuditEvent] {
        var conditions: [String] = []
        var parameters: [String?] = []
        func add(_ sql: String, _ value: String?) {
            guard let value else { return }
            parameters.append(value)
            conditions.append(sql.replacingOccurrences(of: "$?", with: "$\(parameters.count)"))
        }
        add("actor = $?", filter.actor)
        add("resource = $?", filter.resource)
        add("action = $?", filter.action)
        add("occurred_at >= $?::timestamptz", filter.since)
        add("occurred_at < $?::timestamptz", filter.until)
        add(filter.descending ? "sequence < $?::bigint" : "sequence > $?::bigint", filter.afterSequence.map(String.init))
        for tool in filter.excludeTools { add("coalesce(source->>'tool', '') <> $?", tool) }
        let condition = conditions.isEmpty ? "" : "where " + conditions.joined(separator: " and ")
        parameters.append(String(filter.limit))
        let order = filter.descending ? "sequence desc" : "sequence"
        return try connection.query(
            "select \(columns) from audit_events \(condition) order by \(order) limit $\(parameters.count)",
            parameters
        ).map(event)
    }

    /// Walks the whole chain in pages, recomputing every hash and link.
    public static func verify(on connection: Connection, pageSize: Int = 5000) throws -> ChainVerification {
        var previousHash = genesis
        var expectedSequence: Int64 = 1
        var checked: Int64 = 0
        while true {
            // occurred_at (what time queries filter on) must be the hashed time: moved, it would
            // hide an event from a time window while the chain still verified.
            let rows = try connection.query(
                """
                select \(columns), occurred_at is not distinct from time_text::timestamptz as time_matches
                from audit_events where sequence >= $1 order by sequence limit $2
                """,
                [String(expectedSequence), String(pageSize)])
            let page = try rows.map(event)
            for (event, row) in zip(page, rows) {
                func broken(_ reason: String) -> ChainVerification {
                    ChainVerification(
                        valid: false, checked: checked, headSequence: event.sequence, headHash: event.hash,
                        firstBroken: event.sequence, reason: reason)
                }
                if event.sequence != expectedSequence {
                    return broken("entry \(expectedSequence) is missing")
                }
                if event.previousHash != previousHash {
                    return broken("entry \(event.sequence) does not link to the hash of entry \(event.sequence - 1)")
                }
                if !hashMatches(event) {
                    return broken("entry \(event.sequence) was changed after it was written (its hash does not match its content)")
                }
                if row["time_matches"] != "t" {
                    return broken(
                        "entry \(event.sequence)'s occurred_at was changed after it was written (it differs from its hashed time)")
                }
                previousHash = event.hash
                expectedSequence += 1
                checked += 1
            }
            if page.count < pageSize { break }
        }
        return ChainVerification(
            valid: true, checked: checked, headSequence: expectedSequence - 1, headHash: previousHash,
            firstBroken: nil, reason: nil)
    }
}
