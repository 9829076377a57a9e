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

    /// The object's result, and whether this write inserted it.
    func apply(principal: Principal, requestID: String, on connection: Connection) throws -> (BatchResult, inserted: Bool) {
        let table = batchTable.table
        let name = ref.name
        // The lock a single create takes: one write of a name at a time.
        try connection.query("select pg_advisory_xact_lock(hashtext($1))", [table.resource(name)])
        if let idempotency, let replay = try Idempotency.replay(idempotency, on: connection) {
            guard case .success(let stored) = JSONText.parse(Array(replay.body.utf8)), var result = try? BatchResult.from(stored) else {
                throw Problem(.internalServerError, title: "Bad stored answer", detail: "the stored answer of \(ref) cannot be read")
            }
            result.index = index
            return (result, false)
        }
        let result: BatchResult
        if let current = try table.load(name, forUpdate: true, on: connection) {
            try Precondition.check(ifMatch, etag: ObjectJSON.etag(current))
            // A create of an existing object the kind takes for the same one (a version with its content) or refuses.
            if ifMatch == nil, let same = table.existing { try same(current, manifest.spec) }
            if let updated = try table.updateRow(current, to: manifest, principal: principal, source: source, requestID: requestID, on: connection)
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
        if let idempotency {
            try Idempotency.record(idempotency, status: result.status, body: result.jsonValue.jsonString(), on: connection)
        }
        return (result, result.result == .created)
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
