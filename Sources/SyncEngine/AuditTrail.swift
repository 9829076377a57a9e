import APIClient
import APIModel
import Manifests

/// Reads who changed an object from the server's audit log.
public struct AuditTrail: Sendable {
    public let client: APIClient

    public init(client: APIClient) { self.client = client }

    /// The newest audit event on `ref` not written by one of `tools` (the appliers of the
    /// desired state), nil when there is none or the log cannot be read.
    public func lastChange(of ref: ObjectRef, excluding tools: [String]) async -> LastChange? {
        var query = [("resource", ref.description), ("order", "desc"), ("page_size", "1")]
        if !tools.isEmpty { query.append(("exclude_tool", tools.joined(separator: ","))) }
        guard let page = try? await client.send("GET", APIPath.auditEvents + "?" + APIPath.query(query)).json,
            let event = page["items"]?.arrayValue?.first
        else { return nil }
        return LastChange(
            actor: event["actor"]?.stringValue ?? "?", time: event["time"]?.stringValue ?? "?",
            action: event["action"]?.stringValue ?? "?", requestID: event["request_id"]?.stringValue ?? "",
            tool: event["source"]?["tool"]?.stringValue)
    }
}
