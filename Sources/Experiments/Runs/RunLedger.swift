import APIModel
import Audit
import Manifests
import Postgres
import ServiceKit

/// The writes of a run's lifecycle, each audited in its own transaction: state changes,
/// heartbeats, tags, cancel requests, and the reaper's LOST.
public enum RunLedger {
    public static func resource(_ run: String) -> String { ObjectRef(.run, run).description }

    /// Moves `run` to `next` if its lifecycle allows it; otherwise a 409 saying where it stands.
    @discardableResult
    public static func transition(
        _ run: String, to next: RunState, message: String? = nil, exitCode: Int32? = nil,
        executor: String? = nil, actor: String, requestID: String,
        on connection: Connection
    ) throws -> RunRecord {
        guard let current = try RunRecord.load(run, forUpdate: true, on: connection) else { throw Problem.notFound("Run \"\(run)\"") }
        guard current.state.allows(next) else {
            let why =
                current.state.isFinal ? "a finished run never changes state" : "\(current.state.rawValue) cannot become \(next.rawValue)"
            throw Problem(.conflict, title: "Invalid state change", detail: "Run \"\(run)\" is \(current.state.rawValue); \(why)")
        }
        // A run starts on admitted inputs only (or says it may not): checked as it starts.
        let unadmitted = next == .running ? try RunInputs.checkAtStart(current, on: connection) : []
        var sets = [
            "state = $2", "state_message = $3::text", "exit_code = coalesce($4::integer, exit_code)",
            "executor = coalesce($5::text, executor)",
        ]
        if next == .running { sets += ["started_at = now()", "heartbeat_at = now()"] }
        if next.isFinal { sets.append("finished_at = now()") }
        try connection.query(
            "update runs set \(sets.joined(separator: ", ")) where name = $1",
            [run, next.rawValue, message, exitCode.map { String($0) }, executor])
        var after: [JSONMember] = [JSONMember("state", .string(next.rawValue))]
        if let message { after.append(JSONMember("message", .string(message))) }
        if let exitCode { after.append(JSONMember("exitCode", .int(Int64(exitCode)))) }
        if !unadmitted.isEmpty { after.append(JSONMember("unadmittedInputs", .array(unadmitted.map { .string($0) }))) }
        try AuditLog.append(
            AuditDraft(
                actor: actor, action: "state", resource: resource(run), requestID: requestID,
                before: ["state": .string(current.state.rawValue)], after: .object(after)), on: connection)
        return try RunRecord.load(run, on: connection)!
    }

    /// A sign of life from a running run; a run that is not running gets a 409.
    public static func heartbeat(_ run: String, on connection: Connection) throws {
        let rows = try connection.query("update runs set heartbeat_at = now() where name = $1 and state = 'RUNNING' returning name", [run])
        if rows.isEmpty {
            guard let current = try RunRecord.load(run, on: connection) else { throw Problem.notFound("Run \"\(run)\"") }
            throw Problem(
                .conflict, title: "Run not running", detail: "Run \"\(run)\" is \(current.state.rawValue); heartbeats are for running runs")
        }
    }

    /// Asks for a run to stop: a queued run is cancelled at once; a running one is flagged for
    /// its executor, which stops the process and records CANCELLED.
    public static func requestCancel(_ run: String, actor: String, requestID: String, on connection: Connection) throws -> RunRecord {
        guard let current = try RunRecord.load(run, forUpdate: true, on: connection) else { throw Problem.notFound("Run \"\(run)\"") }
        switch current.state {
        case .queued:
            return try transition(
                run, to: .cancelled, message: "cancelled before it started", actor: actor, requestID: requestID, on: connection)
        case .running where current.executor == nil:
            // Nobody here runs it: the caller's word is final.
            return try transition(run, to: .cancelled, message: "cancelled", actor: actor, requestID: requestID, on: connection)
        case .running where current.executor == "kubernetes":
            // The cluster runs it: the run ends here at once (and its token with it); the executor deletes its Job.
            return try transition(
                run, to: .cancelled,
                message:
                    "cancelled; its token no longer works and the Kubernetes executor deletes its Job \(KubernetesJob.name(for: run, uid: current.uid))",
                actor: actor, requestID: requestID, on: connection)
        case .running:
            try connection.query("update runs set cancel_requested = true where name = $1", [run])
            try AuditLog.append(
                AuditDraft(
                    actor: actor, action: "cancel", resource: resource(run), requestID: requestID,
                    after: ["cancelRequested": .bool(true)]), on: connection)
            return try RunRecord.load(run, on: connection)!
        default:
            throw Problem(.conflict, title: "Run finished", detail: "Run \"\(run)\" is already \(current.state.rawValue)")
        }
    }

    /// Replaces the run's tags (they stay mutable after the run ends).
    public static func setTags(_ run: String, _ tags: JSONValue, actor: String, requestID: String, on connection: Connection) throws
        -> RunRecord
    {
        guard let current = try RunRecord.load(run, forUpdate: true, on: connection) else { throw Problem.notFound("Run \"\(run)\"") }
        if current.tags.canonicalJSON == tags.canonicalJSON { return current }
        try connection.query("update runs set tags = $2::jsonb where name = $1", [run, tags.jsonString()])
        try AuditLog.append(
            AuditDraft(
                actor: actor, action: "tag", resource: resource(run), requestID: requestID,
                before: ["tags": current.tags], after: ["tags": tags]), on: connection)
        return try RunRecord.load(run, on: connection)!
    }

    /// The database's `now()` in seconds since the epoch: the clock heartbeats are judged by.
    public static func databaseNow(on connection: Connection) throws -> Double? {
        try connection.query("select extract(epoch from now())::text as now").first?["now"].flatMap(Double.init)
    }

    /// Marks LOST every running run whose last heartbeat is older than `timeoutSeconds`.
    /// Safe on every replica at once: rows are claimed with SKIP LOCKED.
    public static func reap(timeoutSeconds: Int, on connection: Connection) throws -> [String] {
        let stale = try connection.query(
            """
            select name from runs where state = 'RUNNING' and heartbeats and heartbeat_at < now() - make_interval(secs => $1::int)
            order by name limit 100 for update skip locked
            """, [String(timeoutSeconds)]
        ).map { $0["name"]! }
        for run in stale {
            try connection.query(
                """
                update runs set state = 'LOST', finished_at = now(),
                    state_message = 'no heartbeat for ' || $2 || ' s; the process or its executor is gone' where name = $1
                """, [run, String(timeoutSeconds)])
            try AuditLog.append(
                AuditDraft(
                    actor: "system:reaper", action: "state", resource: resource(run), requestID: "reaper",
                    before: ["state": "RUNNING"], after: ["state": "LOST"]), on: connection)
        }
        return stale
    }
}
