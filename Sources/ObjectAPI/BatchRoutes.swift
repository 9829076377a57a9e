import APIModel
import Foundation
import HTTPTypes
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `POST /api/batch`: many objects in one transaction, all or nothing, each through the same
/// write as a single create or update (`ResourceTable.createRow`, `updateRow`: RBAC, hooks,
/// references, lineage, provenance and the audit event). Objects are checked first, every one
/// (a refused batch names each bad object); then written in dependency order, by kind then
/// name, so concurrent batches take their locks in one order; the first refusal in the
/// transaction rolls the whole batch back.
public struct BatchRoutes: Sendable {
    let pool: ConnectionPool
    let tables: [ManifestKind: BatchTable]

    public init(pool: ConnectionPool, tables: [BatchTable]) {
        self.pool = pool
        self.tables = Dictionary(tables.map { ($0.table.kind, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func register(on router: APIRouter) {
        router.post(APIPath.batch, DryRun.route { request, context, dryRun in try await post(request, context, dryRun: dryRun) })
    }

    func post(_ request: Request, _ context: APIRequestContext, dryRun: Bool) async throws -> Response {
        let principal = try context.require(.editor)
        let bytes = try await request.jsonBody(context: context, limit: BatchRequest.maxBytes)
        let value: JSONValue
        switch JSONText.parse(bytes) {
        case .success(let parsed) where parsed.objectValue != nil: value = parsed
        case .success: throw Problem(.badRequest, title: "Bad body", detail: "the body must be a JSON object: {\"objects\": [...]}")
        case .failure(let error): throw Problem(.badRequest, title: "Bad JSON", detail: "the body is not valid JSON: \(error)")
        }
        let batch = try BatchRequest.decode(value, problem: "Invalid batch")
        let source = SourceContext(request: request, principal: principal)
        let items = batch.objects.enumerated().map { index, object in
            check(object, raw: value["objects"]?[index]?["manifest"] ?? object.manifest, index: index, principal: principal, source: source)
        }
        let refusals = items.compactMap { item -> BatchResult? in
            guard case .refused(let refused) = item else { return nil }
            return refused
        }
        if !refusals.isEmpty { throw Self.refusal(refusals, of: batch.objects) }
        let writes = items.compactMap { item -> BatchWrite? in
            guard case .write(let write) = item else { return nil }
            return write
        }.sorted { ($0.ref.kind.applyOrder, $0.ref.name) < ($1.ref.kind.applyOrder, $1.ref.name) }
        let requestID = context.requestID
        let outcome: ([BatchResult], Set<Int>)
        do {
            outcome = try await pool.withTransaction(dryRun: dryRun) { connection -> ([BatchResult], Set<Int>) in
                var results: [Int: BatchResult] = [:]
                var created: Set<Int> = []
                var answers: [(Idempotency.Key, BatchResult)] = []
                // Set-wise first: every object's lock, the keys' stored answers, the objects that exist.
                try BatchWrite.lock(writes, on: connection)
                let stored = try BatchWrite.storedAnswers(writes, on: connection)
                let existing = try BatchWrite.existing(writes, on: connection)
                for write in writes {
                    do {
                        let answer = write.idempotency.flatMap { stored[$0.key] }
                        let (result, inserted) = try write.apply(
                            principal: principal, requestID: requestID, stored: answer, current: existing[write.ref], on: connection)
                        results[write.index] = result
                        if inserted { created.insert(write.index) }
                        if let key = write.idempotency, answer == nil { answers.append((key, result)) }
                    } catch let problem as Problem {
                        throw BatchRefused(
                            result: Self.refused(write.index, write.ref, problem, table: write.batchTable.table, spec: write.manifest.spec))
                    }
                }
                try BatchWrite.record(answers, on: connection)
                return ((0..<writes.count).map { results[$0]! }, created)
            }
        } catch let refused as BatchRefused {
            throw Self.refusal([refused.result], of: batch.objects)
        }
        let (results, created) = outcome
        if !dryRun {
            // Never for a replayed answer: only what this batch inserted (a run that executes on creation starts).
            for write in writes where created.contains(write.index) {
                await write.batchTable.table.afterCreate(write.ref.name, write.manifest.spec)
            }
        }
        return Response.json(BatchResponse(results: results).json)
    }

    /// The object decoded with the manifest model (the same refusals, field paths from
    /// `objects[i].manifest`), with its table and its provenance; or why it is refused.
    func check(_ object: BatchObject, raw: JSONValue, index: Int, principal: Principal, source: SourceContext) -> BatchCheck {
        let ref = object.ref!  // validated with the request
        let at = "objects[\(index)]"
        guard let batchTable = tables[ref.kind] else {
            let detail = "\(ref.kind.rawValue) objects are not written in batches here; send them one at a time"
            return .refused(
                BatchResult(
                    object: ref.description, index: index, result: .refused, status: 422, detail: "\(at) (\(ref)): \(detail)",
                    errors: [.init(path: at + ".manifest.kind", code: "unsupportedKind", message: detail)]))
        }
        let manifest: Manifest
        switch APIDecoding.decode(Array(raw.jsonString(pretty: false).utf8), kind: ref.kind, source: at) {
        case .success(let decoded): manifest = decoded
        case .failure(let invalid):
            let errors = invalid.diagnostics.map { d in
                ProblemDetails.ValidationError(
                    path: at + ".manifest" + (d.path.isEmpty ? "" : "." + d.path), code: d.code.rawValue, message: d.message)
            }
            let first = errors.first.map { "\($0.path): \($0.message)" } ?? "invalid object"
            return .refused(
                BatchResult(
                    object: ref.description, index: index, result: .refused, status: 422,
                    detail: "\(at) (\(ref)): \(first)" + (errors.count > 1 ? " (and \(errors.count - 1) more)" : ""), errors: errors))
        }
        var key: Idempotency.Key?
        if let raw = object.idempotencyKey {
            key = Idempotency.key("batch:" + raw, principal: principal, route: "POST \(APIPath.batch)", body: object.json.canonicalJSON)
        }
        return .write(
            BatchWrite(
                index: index, ref: ref, manifest: manifest, batchTable: batchTable, ifMatch: object.ifMatch, idempotency: key,
                source: source.replacing(with: object.source)))
    }

    /// `BatchResult` of the object a `Problem` refused, its errors' paths from `objects[i]`.
    static func refused(_ index: Int, _ ref: ObjectRef, _ problem: Problem, table: ResourceTable, spec: JSONValue) -> BatchResult {
        let at = "objects[\(index)]"
        var field = at + ".manifest"
        if problem.status == .preconditionFailed {
            field = at + ".ifMatch"
        } else if let missing = problem.extensions.first(where: { $0.key == "missing" })?.value.stringValue,
            let reference = table.references(spec).first(where: { $0.node.id == missing })
        {
            field += "." + reference.path
        } else if problem.status == .notFound, let parent = table.parent, spec[parent.field]?.stringValue != nil {
            field += ".spec." + parent.field
        }
        let errors =
            problem.errors.map { list in
                list.map { ProblemDetails.ValidationError(path: field + "." + $0.path, code: $0.code, message: $0.message) }
            }
            ?? [ProblemDetails.ValidationError(path: field, code: problem.title, message: problem.detail)]
        return BatchResult(
            object: ref.description, index: index, result: .refused, status: Int(problem.status.code),
            detail: "\(at) (\(ref)): \(problem.title): \(problem.detail)", errors: errors)
    }

    /// The problem of a refused batch: the status of its first refusal, every refused object's
    /// errors, and `results` for every object (the others `notApplied`, saying which refusal).
    static func refusal(_ refused: [BatchResult], of objects: [BatchObject]) -> Problem {
        let byIndex = Dictionary(refused.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        let first = refused.min { $0.index < $1.index }!
        let why =
            refused.count == 1
            ? "objects[\(first.index)] (\(first.object)) was refused"
            : "\(refused.count) objects were refused, the first objects[\(first.index)]"
        let results = objects.indices.map { index in
            byIndex[index]
                ?? BatchResult(
                    object: objects[index].ref?.description ?? "objects[\(index)]", index: index, result: .notApplied, status: first.status,
                    detail: "not applied: \(why); a batch is applied whole or not at all")
        }
        return Problem(
            HTTPResponse.Status(code: first.status), title: "Batch refused",
            detail: "nothing was applied: \(first.detail ?? first.object)" + (refused.count > 1 ? " (and \(refused.count - 1) more)" : ""),
            errors: refused.sorted { $0.index < $1.index }.flatMap { $0.errors ?? [] },
            extensions: [JSONMember("results", BatchResponse(results: results).json["results"] ?? .array([]))])
    }
}

/// An object of a batch after its checks: ready to write, or refused.
enum BatchCheck: Sendable {
    case write(BatchWrite)
    case refused(BatchResult)
}

/// The object whose refusal rolls a batch's transaction back.
struct BatchRefused: Error {
    var result: BatchResult
}
