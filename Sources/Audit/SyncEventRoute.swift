import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `POST /api/audit/syncs`: the reconciler records each sync of a source (the commit, its
/// author and message, the result and the counts by action) as an audit event `sync` on
/// `source/NAME`. The object changes of the sync are recorded by their own writes.
struct SyncEventRoute: Sendable {
    let pool: ConnectionPool

    static let results = ["synced", "failed", "invalid"]

    func register(on router: APIRouter) {
        router.post("/api/audit/syncs") { request, context in
            let principal = try context.require(.editor)
            let event = try Self.validate(try await request.jsonObject(context: context))
            let requestID = context.requestID
            try await pool.withTransaction { connection in
                try AuditLog.append(AuditDraft(actor: principal.subject, action: "sync", resource: "source/\(event.name)", requestID: requestID,
                                               outcome: event.result == "synced" ? "success" : "failure", after: event.record, source: event.source),
                                    on: connection)
            }
            return Response(status: .noContent)
        }
    }

    struct Event {
        var name: String
        var result: String
        var record: JSONValue
        var source: JSONValue
    }

    static func validate(_ value: JSONValue) throws -> Event {
        func bad(_ field: String, _ expectation: String) -> Problem {
            Problem(.unprocessableContent, title: "Bad sync event", detail: "\(field): \(expectation)")
        }
        guard let name = value["source"]?.stringValue, StringFormat.dnsSubdomain.accepts(name) else {
            throw bad("source", "the source's name, \(StringFormat.dnsSubdomain.expectation)")
        }
        guard let commit = value["commit"]?.stringValue, commit.count == 40, commit.allSatisfy(\.isHexDigit) else {
            throw bad("commit", "a full 40-character commit id")
        }
        guard let result = value["result"]?.stringValue, results.contains(result) else {
            throw bad("result", "one of \(results.joined(separator: ", "))")
        }
        var record: [JSONMember] = [JSONMember("commit", .string(commit)), JSONMember("result", .string(result))]
        for key in ["message", "error"] {
            guard let field = value[key] else { continue }
            guard let text = field.stringValue, text.utf8.count <= 8192 else { throw bad(key, "a string of at most 8 KiB") }
            record.append(JSONMember(key, .string(text)))
        }
        if let counts = value["counts"] {
            guard let members = counts.objectValue, members.count <= 16,
                  members.allSatisfy({ if case .int(let n) = $0.value { return n >= 0 } else { return false } }) else {
                throw bad("counts", "an object of non-negative integers, e.g. {\"created\": 2, \"unchanged\": 12}")
            }
            record.append(JSONMember("counts", counts))
        }
        var source: [JSONMember] = [JSONMember("commit", .string(commit)), JSONMember("tool", "dpctl reconcile")]
        for key in ["repository", "author"] {
            guard let field = value[key] else { continue }
            guard let text = field.stringValue, text.utf8.count <= 512 else { throw bad(key, "a string of at most 512 bytes") }
            source.append(JSONMember(key, .string(text)))
        }
        return Event(name: name, result: result, record: .object(record), source: .object(source))
    }
}
