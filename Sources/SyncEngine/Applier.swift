import APIClient
import APIModel
import Crypto
import Foundation
import Manifests
import Synchronization

/// Runs a plan against the server: creates and updates level by level in dependency order,
/// deletes in reverse, up to `concurrency` requests at a time within a level. What succeeds
/// stays; a failure is reported with its reason and the objects that depend on it are skipped.
/// Every write carries an idempotency key derived from (apply set, object, desired digest)
/// and the source context. Creates and updates go in batches of up to `batchSize` objects
/// (`POST /api/batch`, Applier+Batch.swift); uploads and deletes go one request each.
public final class Applier: Sendable {
    public struct Options: Sendable {
        /// Ask the server to validate every write without making it.
        public var serverDryRun: Bool
        public var concurrency: Int
        /// Names the apply set in idempotency keys (reruns of the same apply reuse them).
        public var applySet: String?
        public var source: SourceInfo
        /// The repository root that source paths are given relative to.
        public var root: String?
        /// The word for a successful delete: "pruned" by apply, "deleted" by delete.
        public var deleteOutcome: ApplyOutcome
        /// Most objects per `POST /api/batch`; 0 or 1 sends one request per object.
        public var batchSize: Int
        /// Most bytes of objects per batch (about; the server reads up to `BatchRequest.maxBytes`).
        public var batchBytes: Int

        public static let defaultBatchSize = 500

        public init(
            serverDryRun: Bool = false, concurrency: Int = 8, applySet: String? = nil, source: SourceInfo,
            root: String? = nil, deleteOutcome: ApplyOutcome = .pruned, batchSize: Int = Options.defaultBatchSize,
            batchBytes: Int = 4 << 20
        ) {
            self.serverDryRun = serverDryRun
            self.concurrency = max(1, concurrency)
            self.applySet = applySet
            self.source = source
            self.root = root
            self.deleteOutcome = deleteOutcome
            self.batchSize = min(max(0, batchSize), BatchRequest.maxObjects)
            self.batchBytes = min(max(1 << 16, batchBytes), BatchRequest.maxBytes / 2)
        }
    }

    public let client: APIClient
    public let options: Options
    /// Set once a write finds the server unreachable after its retries: the rest are not tried,
    /// so a dead server fails an apply in seconds, not one timeout per object.
    let unreachable = Mutex<String?>(nil)
    /// Set when the server answers 404 for `POST /api/batch` (an older server, or one whose
    /// kinds are split across processes): the rest of the apply goes one object at a time.
    let batchUnsupported = Mutex<Bool>(false)

    public init(client: APIClient, options: Options) {
        self.client = client
        self.options = options
    }

    /// Applies every item; `progress` is called with (done, total writes) as writes finish.
    public func apply(_ plan: Plan, progress: (@Sendable (Int, Int) -> Void)? = nil) async -> [ApplyResult] {
        var results: [ObjectRef: ApplyResult] = [:]
        var broken: Set<ObjectRef> = []
        let total = plan.items.filter { $0.action == .create || $0.action == .update || $0.action == .delete }.count
        var done = 0
        for item in plan.items where item.action == .unchanged || item.action == .refused {
            results[item.ref] = ApplyResult(ref: item.ref, outcome: item.action == .unchanged ? .unchanged : .refused, message: item.reason)
            if item.action == .refused { broken.insert(item.ref) }
        }
        for level in Self.levels(plan.items.filter { $0.action == .create || $0.action == .update || $0.action == .delete }) {
            var runnable: [PlanItem] = []
            for item in level {
                if let failed = item.manifest?.dependencies.sorted().first(where: { broken.contains($0) }) {
                    results[item.ref] = ApplyResult(
                        ref: item.ref, outcome: .skipped, message: "skipped: it needs \(failed), which was not applied")
                    broken.insert(item.ref)
                    done += 1
                    progress?(done, total)
                } else {
                    runnable.append(item)
                }
            }
            let finished = await withTaskGroup(of: [ApplyResult].self, returning: [ApplyResult].self) { group in
                var pending = jobs(runnable)[...]
                var out: [ApplyResult] = []
                for _ in 0..<min(options.concurrency, pending.count) {
                    let job = pending.removeFirst()
                    group.addTask { await self.run(job) }
                }
                for await results in group {
                    for result in results {
                        out.append(result)
                        done += 1
                        progress?(done, total)
                    }
                    if let job = pending.popFirst() { group.addTask { await self.run(job) } }
                }
                return out
            }
            for result in finished {
                results[result.ref] = result
                if result.outcome.isFailure { broken.insert(result.ref) }
            }
        }
        return plan.items.compactMap { results[$0.ref] }
    }

    /// Consecutive items of the same kind and direction: a level whose members do not depend
    /// on each other.
    static func levels(_ items: [PlanItem]) -> [[PlanItem]] {
        var out: [[PlanItem]] = []
        for item in items {
            if let last = out.last?.last, last.ref.kind == item.ref.kind, (last.action == .delete) == (item.action == .delete) {
                out[out.count - 1].append(item)
            } else {
                out.append([item])
            }
        }
        return out
    }

    func execute(_ item: PlanItem) async -> ApplyResult {
        if let reason = unreachable.withLock({ $0 }) {
            return ApplyResult(ref: item.ref, outcome: .failed, message: "not attempted: \(reason)")
        }
        do {
            switch item.action {
            case .create:
                try await create(item)
                return ApplyResult(ref: item.ref, outcome: .created, changes: item.changes)
            case .update:
                try await update(item)
                return ApplyResult(ref: item.ref, outcome: .configured, changes: item.changes)
            case .delete:
                try await delete(item)
                return ApplyResult(ref: item.ref, outcome: options.deleteOutcome)
            case .unchanged, .refused:
                return ApplyResult(ref: item.ref, outcome: item.action == .unchanged ? .unchanged : .refused, message: item.reason)
            }
        } catch let error as APIError {
            if error.code == .unreachable { unreachable.withLock { $0 = $0 ?? "the server became unreachable" } }
            return ApplyResult(ref: item.ref, outcome: .failed, message: error.message)
        } catch {
            return ApplyResult(ref: item.ref, outcome: .failed, message: "\(error)")
        }
    }

    var dryRunQuery: [(String, String)] { options.serverDryRun ? [("dryRun", "true")] : [] }

    func path(_ base: String, _ query: [(String, String)]) -> String {
        let all = query + dryRunQuery
        return all.isEmpty ? base : base + "?" + APIPath.query(all)
    }

    func headers(_ item: PlanItem) -> [(String, String)] {
        options.source.headers(path: item.manifest.map { relativePath($0.origin.file) })
    }

    func create(_ item: PlanItem) async throws {
        let manifest = item.manifest!
        let key = idempotencyKey(item)
        if manifest.kind == .datasetVersion, let content = item.content {
            let dataset = manifest.spec["dataset"]?.stringValue ?? ""
            if let file = content.file {
                var query = [("name", manifest.name), ("sha256", content.sha256)]
                if let repositoryPath = content.repositoryPath { query.append(("source_path", repositoryPath)) }
                if let description = manifest.spec["description"]?.stringValue { query.append(("description", description)) }
                if let labels = manifest.metadata["labels"], labels != .object([]) { query.append(("labels", labels.jsonString())) }
                if let annotations = manifest.metadata["annotations"], annotations != .object([]) {
                    query.append(("annotations", annotations.jsonString()))
                }
                _ = try await client.send(
                    "POST", path(APIPath.collection(.datasetVersion, dataset: dataset) + "/upload", query),
                    body: .file(file), headers: headers(item) + [("Content-Type", Self.contentType(file))], idempotencyKey: key)
            } else {
                _ = try await client.send(
                    "POST", path(APIPath.collection(.datasetVersion, dataset: dataset), []),
                    json: manifest.body, headers: headers(item), idempotencyKey: key)
            }
            return
        }
        _ = try await client.send(
            "POST", path(APIPath.collection(manifest.kind, dataset: nil), []),
            json: manifest.body, headers: headers(item), idempotencyKey: key)
    }

    func update(_ item: PlanItem) async throws {
        let (body, dataset) = updateBody(item)
        var extra = headers(item)
        if let version = item.live?["metadata"]?["resourceVersion"]?.stringValue { extra.append(("If-Match", "\"\(version)\"")) }
        _ = try await client.send("PUT", path(APIPath.item(item.ref, dataset: dataset), []), json: body, headers: extra)
    }

    /// What an update sends: the manifest with ignored fields as they are live, a version's
    /// source as its content was found; and the version's dataset (its route's parent).
    func updateBody(_ item: PlanItem) -> (body: JSONValue, dataset: String?) {
        let manifest = item.manifest!
        var body = item.ignore.keepingLive(manifest.body, live: item.live)
        var dataset: String?
        if manifest.kind == .datasetVersion, let content = item.content {
            dataset = manifest.spec["dataset"]?.stringValue
            var source: [JSONMember] = []
            if let repositoryPath = content.repositoryPath { source.append(JSONMember("path", .string(repositoryPath))) }
            if let url = content.url { source.append(JSONMember("url", .string(url))) }
            source.append(JSONMember("sha256", .string(content.sha256)))
            body = Self.replacing(["spec", "source"], with: .object(source), in: body)
        }
        return (body, dataset)
    }

    func delete(_ item: PlanItem) async throws {
        var extra = options.source.headers(path: nil)
        if let version = item.live?["metadata"]?["resourceVersion"]?.stringValue { extra.append(("If-Match", "\"\(version)\"")) }
        let dataset = item.live?["spec"]?["dataset"]?.stringValue
        do {
            _ = try await client.send("DELETE", path(APIPath.item(item.ref, dataset: dataset), []), headers: extra)
        } catch let error as APIError where error.code == .notFound {
            return  // gone already, e.g. a retried delete whose first answer was lost
        }
    }

    /// `dpctl-` and 40 hex digits of sha256(apply set, object, desired digest): the same apply
    /// of the same content reuses the key, a changed object gets a new one.
    func idempotencyKey(_ item: PlanItem) -> String {
        "dpctl-"
            + String(
                Self.digest([options.applySet ?? "", item.ref.description, item.manifest?.digest ?? "", item.content?.sha256 ?? ""]).prefix(
                    40))
    }

    static func digest(_ parts: [String]) -> String {
        Hex.encode(SHA256.hash(data: Array(parts.joined(separator: "\n").utf8)))
    }

    func relativePath(_ file: String) -> String {
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        guard let root = options.root.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }), absolute.hasPrefix(root + "/") else {
            return file
        }
        return String(absolute.dropFirst(root.count + 1))
    }

    static func replacing(_ path: [String], with value: JSONValue, in object: JSONValue) -> JSONValue {
        IgnoreRules.setting(path[...], to: value, in: IgnoreRules.removing(path[...], from: object))
    }

    static func contentType(_ file: String) -> String {
        switch (file as NSString).pathExtension.lowercased() {
        case "csv": return "text/csv"
        case "json": return "application/json"
        case "jsonl", "ndjson": return "application/x-ndjson"
        case "parquet": return "application/vnd.apache.parquet"
        default: return "application/octet-stream"
        }
    }
}
