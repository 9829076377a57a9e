import Manifests
import ObjectAPI
import Postgres

/// A run as the Experiments service sees it: the manifest's object plus the state the server
/// owns (lifecycle, inputs resolved to digests, tags, executor, times).
public struct RunRecord: Sendable {
    public var object: JSONValue
    public var name: String
    public var experiment: String
    public var spec: JSONValue
    public var state: RunState
    public var message: String?
    public var tags: JSONValue
    public var inputs: JSONValue
    public var executor: String?
    public var exitCode: Int64?
    public var startedAt: String?
    public var finishedAt: String?
    public var heartbeatAt: String?
    public var cancelRequested: Bool

    static let columns =
        ObjectJSON.columns + """
            , state, state_message, tags::text as tags, inputs::text as inputs, executor, exit_code, cancel_requested::text as cancel_requested,
            \(SQLTime.utc("started_at")), \(SQLTime.utc("finished_at")), \(SQLTime.utc("heartbeat_at"))
            """

    init(_ row: Row) {
        object = ObjectJSON.object(row, kind: .run)
        name = row["name"]!
        spec = ObjectJSON.parse(row["spec"])
        experiment = spec["experiment"]?.stringValue ?? ""
        state = RunState(rawValue: row["state"] ?? "") ?? .queued
        message = row["state_message"]
        tags = ObjectJSON.parse(row["tags"])
        inputs = ObjectJSON.parse(row["inputs"])
        executor = row["executor"]
        exitCode = row.int("exit_code")
        startedAt = row["started_at"]
        finishedAt = row["finished_at"]
        heartbeatAt = row["heartbeat_at"]
        cancelRequested = row["cancel_requested"] == "true"
    }

    public static func load(_ name: String, forUpdate: Bool = false, on connection: Connection) throws -> RunRecord? {
        try connection.query("select \(columns) from runs where name = $1\(forUpdate ? " for update" : "")", [name]).first.map(
            RunRecord.init)
    }

    /// The run's status block, as `GET /api/experiment-runs/{run}` shows it.
    public var status: JSONValue {
        var members: [JSONMember] = [JSONMember("state", .string(state.rawValue))]
        if let message { members.append(JSONMember("message", .string(message))) }
        if let executor { members.append(JSONMember("executor", .string(executor))) }
        if let exitCode { members.append(JSONMember("exitCode", .int(exitCode))) }
        if let startedAt { members.append(JSONMember("startedAt", .string(startedAt))) }
        if let finishedAt { members.append(JSONMember("finishedAt", .string(finishedAt))) }
        if let heartbeatAt { members.append(JSONMember("heartbeatAt", .string(heartbeatAt))) }
        if cancelRequested && !state.isFinal { members.append(JSONMember("cancelRequested", .bool(true))) }
        members.append(JSONMember("inputs", inputs))
        members.append(JSONMember("tags", tags))
        return .object(members)
    }

    /// The object with its status.
    public var json: JSONValue {
        guard case .object(var members) = object else { return object }
        members.append(JSONMember("status", status))
        return .object(members)
    }
}
