import APIModel
import Foundation
import Manifests
import Postgres
import ServiceKit

/// One checked object of a batch and its write inside the batch's transaction: created when
/// it does not exist, else updated as a PUT would (If-Match, written-once fields), unchanged
/// when the same; a stored answer for its idempotency key is answered again instead.
struct BatchWrite: Sendable {
    var index: Int
    var ref: ObjectRef
    var manifest: Manifest
    var batchTable: BatchTable
    var ifMatch: String?
    var idempotency: Idempotency.Key?
    var source: SourceContext

    /// The object's result, and whether this write inserted it. `stored` is its key's stored
    /// answer (read for the whole batch by `storedAnswers`), `current` the object as it is
    /// (`existing`, locked for update); the batch holds the object's lock (`lock`).
    func apply(
        principal: Principal, requestID: String, stored: StoredAnswer?, current: JSONValue?, on connection: Connection
    ) throws -> (BatchResult, inserted: Bool) {
        let table = batchTable.table
        let name = ref.name
        if let idempotency, let stored {
            guard stored.route == idempotency.route, stored.requestHash == idempotency.requestHash else {
                throw Problem(
                    .unprocessableContent, title: "Idempotency-Key reused",
                    detail:
                        "idempotencyKey \"\(idempotency.key.dropFirst("batch:".count))\" was already used for a different object; use a new key"
                )
            }
            guard case .success(let json) = JSONText.parse(Array(stored.body.utf8)), var result = try? BatchResult.from(json) else {
                throw Problem(.internalServerError, title: "Bad stored answer", detail: "the stored answer of \(ref) cannot be read")
            }
            result.index = index
            return (result, false)
        }
        let result: BatchResult
        if let current {
            try Precondition.check(ifMatch, etag: ObjectJSON.etag(current))
            // A create of an existing object the kind takes for the same one (a version with its content) or refuses.
            if ifMatch == nil, let same = table.existing { try same(current, manifest.spec) }
            if let updated = try table.updateRow(
                current, to: manifest, principal: principal, source: source, requestID: requestID, on: connection)
            {
                result = Self.result(ref, index, .updated, 200, updated)
            } else {
                result = Self.result(ref, index, .unchanged, 200, current)
            }
        } else {
            if ifMatch != nil { throw Problem.notFound(table.describe(name)) }
            try table.authorize(principal, nil, manifest.spec)
            let draft = try batchTable.draft(manifest)
            let object = try table.createRow(draft, principal: principal, source: source, requestID: requestID, on: connection)
            result = Self.result(ref, index, .created, 201, object)
        }
        return (result, result.result == .created)
    }

    /// A key's stored answer.
    struct StoredAnswer: Sendable {
        var route: String
        var requestHash: String
        var body: String
    }

    /// Takes every object's lock (the one a single create takes), all in one statement and in one
    /// order for every batch, so that two batches never wait on each other crosswise.
    static func lock(_ writes: [BatchWrite], on connection: Connection) throws {
        let names = JSONValue.array(writes.map { .string($0.batchTable.table.resource($0.ref.name)) })
        try connection.query(
            """
            select count(pg_advisory_xact_lock(hashtext(r))) as n
            from (select r from jsonb_array_elements_text($1::jsonb) as r order by r offset 0) as locks
            """, [names.jsonString()])
    }

    /// The stored answers of the batch's idempotency keys, by key, in one query.
    static func storedAnswers(_ writes: [BatchWrite], on connection: Connection) throws -> [String: StoredAnswer] {
        let keys = writes.compactMap(\.idempotency)
        guard let principal = keys.first?.principal else { return [:] }
        let rows = try connection.query(
            """
            select key, route, request_hash, body from idempotency_keys
            where principal = $1 and key in (select jsonb_array_elements_text($2::jsonb))
            """, [principal, JSONValue.array(keys.map { .string($0.key) }).jsonString()])
        var out: [String: StoredAnswer] = [:]
        for row in rows {
            out[row["key"]!] = StoredAnswer(route: row["route"]!, requestHash: row["request_hash"]!, body: row["body"]!)
        }
        return out
    }

    /// The objects of the batch that exist, locked for update, one query per table.
    static func existing(_ writes: [BatchWrite], on connection: Connection) throws -> [ObjectRef: JSONValue] {
        var out: [ObjectRef: JSONValue] = [:]
        for kind in ManifestKind.allCases.sorted(by: { $0.applyOrder < $1.applyOrder }) {
            let ofKind = writes.filter { $0.ref.kind == kind }
            guard let table = ofKind.first?.batchTable.table else { continue }
            let names = JSONValue.array(ofKind.map { .string($0.ref.name) })
            let rows = try connection.query(
                """
                select \(table.columns) from \(table.table)
                where name in (select jsonb_array_elements_text($1::jsonb)) order by name for update
                """, [names.jsonString()])
            for row in rows {
                let object = table.render(row)
                if let name = object["metadata"]?["name"]?.stringValue { out[ObjectRef(kind, name)] = object }
            }
        }
        return out
    }

    /// Stores each keyed object's answer, in one statement.
    static func record(_ answers: [(Idempotency.Key, BatchResult)], on connection: Connection) throws {
        guard !answers.isEmpty else { return }
        let rows = JSONValue.array(
            answers.map { key, result in
                .object([
                    JSONMember("principal", .string(key.principal)), JSONMember("key", .string(key.key)),
                    JSONMember("route", .string(key.route)), JSONMember("request_hash", .string(key.requestHash)),
                    JSONMember("status", .int(Int64(result.status))), JSONMember("body", .string(result.jsonValue.jsonString())),
                    JSONMember("object", .string(result.object)),
                ])
            })
        try connection.query(
            """
            insert into idempotency_keys (principal, key, route, request_hash, status, body, object)
            select principal, key, route, request_hash, status, body, object
            from jsonb_to_recordset($1::jsonb) as x(principal text, key text, route text, request_hash text, status integer, body text,
                object text)
            """, [rows.jsonString()])
    }

    static func result(_ ref: ObjectRef, _ index: Int, _ outcome: BatchOutcome, _ status: Int, _ object: JSONValue) -> BatchResult {
        BatchResult(
            object: ref.description, index: index, result: outcome, status: status,
            resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue)
    }
}

extension SourceContext {
    /// This context with each member `source` gives in place of the header's (cut as headers are).
    func replacing(with source: BatchSource?) -> SourceContext {
        guard let source else { return self }
        var out = self
        func value(_ header: ProvenanceHeader) -> String? { source[header].map { String($0.prefix(ProvenanceHeader.maxValue)) } }
        out.repository = value(.repository) ?? repository
        out.commit = value(.commit) ?? commit
        out.author = value(.author) ?? author
        out.path = value(.path) ?? path
        out.tool = value(.tool) ?? tool
        out.committer = value(.committer) ?? committer
        out.merge = value(.merge) ?? merge
        out.attribution = value(.attribution) ?? attribution
        return out
    }
}

extension BatchResult {
    /// The result as JSON (what is stored under an idempotency key).
    var jsonValue: JSONValue { BatchResponse(results: [self]).json["results"]?[0] ?? .object([]) }

    static func from(_ value: JSONValue) throws -> BatchResult {
        try JSONDecoder().decode(BatchResult.self, from: Data(value.jsonString().utf8))
    }
}
