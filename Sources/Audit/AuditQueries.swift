import AuditChain
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
    /// The checkpoint the chain was checked against, if any.
    public var checkpointSequence: Int64?
    /// When that checkpoint was signed.
    public var checkpointTime: String?
    /// `full` (every entry from the first) or `since-checkpoint` (the newest signed checkpoint's
    /// signature and entry, and every entry after it).
    public var scope: Scope = .full

    /// How much of the chain a verification walks.
    public enum Scope: String, Sendable, CaseIterable {
        case full
        case sinceCheckpoint = "since-checkpoint"
    }

    public var json: JSONValue {
        var members: [JSONMember] = [
            JSONMember("valid", .bool(valid)), JSONMember("checked", .int(checked)),
            JSONMember("head_sequence", .int(headSequence)), JSONMember("head_hash", .string(headHash)),
        ]
        if let firstBroken { members.append(JSONMember("first_broken_sequence", .int(firstBroken))) }
        if let reason { members.append(JSONMember("reason", .string(reason))) }
        if let checkpointSequence { members.append(JSONMember("checkpoint_sequence", .int(checkpointSequence))) }
        if let checkpointTime { members.append(JSONMember("checkpoint_time", .string(checkpointTime))) }
        members.append(JSONMember("scope", .string(scope.rawValue)))
        return .object(members)
    }
}

extension AuditLog {
    public static func events(_ filter: AuditFilter, on connection: Connection) throws -> [AuditEvent] {
        // Sealed events only: an unsealed one has no place in the chain yet (`AuditSealer.catchUp` first).
        var conditions: [String] = ["sequence is not null"]
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
        let condition = "where " + conditions.joined(separator: " and ")
        parameters.append(String(filter.limit))
        let order = filter.descending ? "sequence desc" : "sequence"
        return try connection.query(
            "select \(columns) from audit_events \(condition) order by \(order) limit $\(parameters.count)",
            parameters
        ).map(event)
    }

    /// Walks the whole chain in pages, recomputing every hash and link; with `checkpoint`, the
    /// chain must also reach its entry and still hash to what it signed there.
    public static func verify(on connection: Connection, checkpoint: AuditCheckpoint? = nil, pageSize: Int = 5000) throws
        -> ChainVerification
    {
        var walk = ChainWalk(checkpoints: checkpoint.map { [$0] } ?? [])
        do {
            try Self.walk(&walk, on: connection, pageSize: pageSize)
            try walk.finish()
        } catch let error as AuditChainError {
            return ChainVerification(
                valid: false, checked: walk.checked, headSequence: error.sequence ?? walk.head, headHash: walk.headHash,
                firstBroken: error.sequence ?? walk.head + 1, reason: error.message, checkpointSequence: checkpoint?.sequence,
                checkpointTime: checkpoint?.time)
        }
        return ChainVerification(
            valid: true, checked: walk.checked, headSequence: walk.head, headHash: walk.headHash,
            firstBroken: nil, reason: nil, checkpointSequence: checkpoint?.sequence, checkpointTime: checkpoint?.time)
    }

    /// The entries after `checkpoint` (whose entry must still hash to what it signed), checked:
    /// what changed since the chain was last verified and signed, in time proportional to that.
    public static func verifyTail(after checkpoint: AuditCheckpoint, on connection: Connection) throws -> ChainVerification {
        var verification = ChainVerification(
            valid: true, checked: 0, headSequence: checkpoint.sequence, headHash: checkpoint.hash, firstBroken: nil, reason: nil,
            checkpointSequence: checkpoint.sequence, checkpointTime: checkpoint.time, scope: .sinceCheckpoint)
        do {
            let walk = try walk(after: checkpoint, on: connection)
            verification.checked = walk.checked
            verification.headSequence = walk.head
            verification.headHash = walk.headHash
        } catch let error as AuditChainError {
            verification.valid = false
            verification.firstBroken = error.sequence ?? checkpoint.sequence + 1
            verification.reason = error.message
        }
        return verification
    }

    /// The chain from `checkpoint` (which its entry must still match) to the head, checked.
    static func walk(after checkpoint: AuditCheckpoint?, on connection: Connection) throws -> ChainWalk {
        guard let checkpoint else {
            var walk = ChainWalk(checkpoints: [])
            try Self.walk(&walk, on: connection)
            return walk
        }
        let stored = try connection.query("select hash from audit_events where sequence = $1", [String(checkpoint.sequence)]).first
        guard let hash = stored?["hash"] else {
            let head = try connection.query("select max(sequence) as head from audit_events").first?.int("head") ?? 0
            throw AuditChainError(
                .truncated,
                "the chain ends at entry \(head), but the last checkpoint signed entry \(checkpoint.sequence): entries were deleted",
                sequence: head + 1)
        }
        guard hash == checkpoint.hash else {
            throw AuditChainError(
                .rewritten,
                "entry \(checkpoint.sequence) no longer has the hash the last checkpoint signed: the history up to it was rewritten",
                sequence: checkpoint.sequence)
        }
        var walk = ChainWalk(resumingAt: checkpoint)
        try Self.walk(&walk, on: connection)
        return walk
    }

    /// Adds every entry after `walk.head` to `walk`, a page at a time.
    static func walk(_ walk: inout ChainWalk, on connection: Connection, pageSize: Int = 5000) throws {
        while true {
            let page = try events(AuditFilter(afterSequence: walk.head, limit: pageSize), on: connection)
            for event in page { try walk.add(event) }
            if page.count < pageSize { return }
        }
    }
}
