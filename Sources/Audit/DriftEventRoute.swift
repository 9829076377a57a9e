import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `POST /api/audit/drift`: the reconciler records drift it detected on an object (the drifted
/// fields, who changed it last) and drift it healed, as audit events `drift-detected` and
/// `drift-healed` on the object (`dataset/churn`). A heal's own write is recorded by that write.
struct DriftEventRoute: Sendable {
    let pool: ConnectionPool

    static let events = ["detected": "drift-detected", "healed": "drift-healed"]
    static let kinds = ["modified", "deleted", "createdOutOfBand"]

    func register(on router: APIRouter) {
        router.post("/api/audit/drift") { request, context in
            let principal = try context.require(.editor)
            let event = try Self.validate(try await request.jsonObject(context: context))
            let requestID = context.requestID
            try await pool.withTransaction { connection in
                try AuditLog.append(AuditDraft(actor: principal.subject, action: event.action, resource: event.object, requestID: requestID,
                                               after: event.record, source: event.source), on: connection)
            }
            return Response(status: .noContent)
        }
    }

    struct Event {
        var action: String
        var object: String
        var record: JSONValue
        var source: JSONValue
    }

    static func validate(_ value: JSONValue) throws -> Event {
        func bad(_ field: String, _ expectation: String) -> Problem {
            Problem(.unprocessableContent, title: "Bad drift event", detail: "\(field): \(expectation)")
        }
        guard let name = value["source"]?.stringValue, StringFormat.dnsSubdomain.accepts(name) else {
            throw bad("source", "the source's name, \(StringFormat.dnsSubdomain.expectation)")
        }
        guard let what = value["event"]?.stringValue, let action = events[what] else {
            throw bad("event", "detected or healed")
        }
        let kinds = ManifestKind.allCases.map(\.singular)
        guard let object = value["object"]?.stringValue, object.utf8.count <= 300,
              let slash = object.firstIndex(of: "/"), kinds.contains(String(object[..<slash])),
              StringFormat.dnsSubdomain.accepts(String(object[object.index(after: slash)...])) else {
            throw bad("object", "kind/name, e.g. dataset/churn")
        }
        guard let kind = value["drift"]?.stringValue, Self.kinds.contains(kind) else {
            throw bad("drift", "one of \(Self.kinds.joined(separator: ", "))")
        }
        var record: [JSONMember] = [JSONMember("drift", .string(kind))]
        if let fields = value["fields"] {
            guard let list = fields.arrayValue, list.count <= 200, fields.jsonString().utf8.count <= 65_536,
                  list.allSatisfy({ $0["path"]?.stringValue != nil }) else {
                throw bad("fields", "at most 200 objects {path, desired, live}, 64 KiB in all")
            }
            record.append(JSONMember("fields", fields))
        }
        if let changedBy = value["changedBy"] {
            guard changedBy.objectValue != nil, changedBy.jsonString().utf8.count <= 2048 else { throw bad("changedBy", "an object of at most 2 KiB") }
            record.append(JSONMember("changedBy", changedBy))
        }
        var source: [JSONMember] = [JSONMember("tool", "dpctl reconcile"), JSONMember("source", .string(name))]
        for key in ["commit", "repository"] {
            guard let field = value[key] else { continue }
            guard let text = field.stringValue, text.utf8.count <= 512 else { throw bad(key, "a string of at most 512 bytes") }
            source.append(JSONMember(key, .string(text)))
        }
        return Event(action: action, object: object, record: .object(record), source: .object(source))
    }
}
