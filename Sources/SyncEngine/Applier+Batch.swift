import APIClient
import APIModel
import Manifests

/// Creates and updates sent as `POST /api/batch`: one request and one server transaction per
/// batch instead of one per object, with the same per-object results, idempotency keys and
/// provenance. A batch is all or nothing on the server; the Applier keeps "what succeeds
/// stays" by sending a refused batch again without the objects the server refused (each
/// reported failed with the server's reason), until what is left is applied.
extension Applier {
    /// Work for one slot of a level's concurrency: one object, or a batch of them.
    enum Job: Sendable {
        case one(PlanItem)
        case batch([PlanItem])
    }

    /// The level's items as jobs: batches of creates and updates first, then the rest (uploads
    /// and deletes) one by one.
    func jobs(_ items: [PlanItem]) -> [Job] {
        guard options.batchSize > 1, !batchUnsupported.withLock({ $0 }) else { return items.map(Job.one) }
        var batches: [[PlanItem]] = []
        var singles: [Job] = []
        var current: [PlanItem] = []
        var bytes = 0
        for item in items {
            guard Self.batchable(item) else {
                singles.append(.one(item))
                continue
            }
            let size = (item.manifest?.canonicalJSON.count ?? 0) + 512
            if !current.isEmpty, current.count >= options.batchSize || bytes + size > options.batchBytes {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(item)
            bytes += size
        }
        if !current.isEmpty { batches.append(current) }
        return batches.map(Job.batch) + singles
    }

    /// A create or update whose body is JSON (a version with a file is uploaded on its own).
    static func batchable(_ item: PlanItem) -> Bool {
        guard item.action == .create || item.action == .update, let manifest = item.manifest else { return false }
        return !(manifest.kind == .datasetVersion && item.action == .create && item.content?.file != nil)
    }

    func run(_ job: Job) async -> [ApplyResult] {
        switch job {
        case .one(let item): return [await execute(item)]
        case .batch(let items): return await executeBatch(items)
        }
    }

    /// Sends `items` as one batch, again without the objects the server refused while any
    /// are refused; falls back to one request per object when the server has no batch route.
    func executeBatch(_ items: [PlanItem]) async -> [ApplyResult] {
        var results: [ApplyResult] = []
        var pending = items
        while !pending.isEmpty {
            if batchUnsupported.withLock({ $0 }) { return results + (await executeEach(pending)) }
            if let reason = unreachable.withLock({ $0 }) {
                return results + pending.map { ApplyResult(ref: $0.ref, outcome: .failed, message: "not attempted: \(reason)") }
            }
            let route = path(APIPath.batch, [])
            do {
                // Every object carries its idempotency key (an update's covers its If-Match too): a repeat is harmless.
                let response = try await client.send(
                    "POST", route, body: BatchRequest(objects: pending.map(batchObject)), retrySafe: true)
                let answer = try BatchResponse.decode(response.json)
                guard answer.results.count == pending.count else {
                    throw APIError(
                        code: .server, status: response.status, problem: nil,
                        message: "POST \(route): \(answer.results.count) results for \(pending.count) objects")
                }
                return results + zip(pending, answer.results).map { item, result in applied(item, result) }
            } catch let error as APIError {
                if error.status == 404, Self.batchResults(error) == nil {
                    batchUnsupported.withLock { $0 = true }
                    continue
                }
                guard let answer = Self.batchResults(error), answer.count == pending.count,
                    answer.contains(where: { $0.result == .refused })
                else {
                    if error.code == .unreachable { unreachable.withLock { $0 = $0 ?? "the server became unreachable" } }
                    return results + pending.map { ApplyResult(ref: $0.ref, outcome: .failed, message: error.message) }
                }
                var rest: [PlanItem] = []
                for (item, result) in zip(pending, answer) {
                    if result.result == .refused {
                        results.append(
                            ApplyResult(ref: item.ref, outcome: .failed, message: "POST \(route): \(result.detail ?? "refused")"))
                    } else {
                        rest.append(item)
                    }
                }
                pending = rest
            } catch {
                return results + pending.map { ApplyResult(ref: $0.ref, outcome: .failed, message: "POST \(route): \(error)") }
            }
        }
        return results
    }

    /// One request per object, up to `concurrency` at a time (a server without batches).
    func executeEach(_ items: [PlanItem]) async -> [ApplyResult] {
        await withTaskGroup(of: ApplyResult.self, returning: [ApplyResult].self) { group in
            var pending = items[...]
            var out: [ApplyResult] = []
            for _ in 0..<min(options.concurrency, pending.count) {
                let item = pending.removeFirst()
                group.addTask { await self.execute(item) }
            }
            for await result in group {
                out.append(result)
                if let item = pending.popFirst() { group.addTask { await self.execute(item) } }
            }
            return out
        }
    }

    /// The per-object results a refused batch's problem carries, if it is one.
    static func batchResults(_ error: APIError) -> [BatchResult]? {
        guard case .success(let problem) = JSONText.parse(error.body), let results = problem["results"] else { return nil }
        return try? BatchResponse.decode(.object([JSONMember("results", results)])).results
    }

    func applied(_ item: PlanItem, _ result: BatchResult) -> ApplyResult {
        switch result.result {
        case .created: return ApplyResult(ref: item.ref, outcome: .created, changes: item.changes)
        case .updated, .unchanged:
            return ApplyResult(ref: item.ref, outcome: item.action == .create ? .created : .configured, changes: item.changes)
        case .refused, .notApplied:
            return ApplyResult(
                ref: item.ref, outcome: .failed, message: "POST \(APIPath.batch): \(result.detail ?? result.result.rawValue)")
        }
    }

    /// The object as a single create or update would send it: the same body, If-Match for an
    /// update, the create's idempotency key (an update's also covers the ETag it read), and
    /// its provenance.
    func batchObject(_ item: PlanItem) -> BatchObject {
        let manifest = item.manifest!
        let source = BatchSource(options.source, path: relativePath(manifest.origin.file))
        guard item.action == .update else {
            return BatchObject(manifest: manifest.body, idempotencyKey: idempotencyKey(item), source: source)
        }
        let ifMatch = item.live?["metadata"]?["resourceVersion"]?.stringValue.map { "\"\($0)\"" }
        let key =
            "dpctl-"
            + String(
                Self.digest([
                    options.applySet ?? "", item.ref.description, item.manifest?.digest ?? "", item.content?.sha256 ?? "", "update",
                    ifMatch ?? "",
                ]).prefix(40))
        return BatchObject(manifest: updateBody(item).body, ifMatch: ifMatch, idempotencyKey: key, source: source)
    }
}
