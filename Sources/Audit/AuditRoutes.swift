import APIModel
import AuditChain
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `GET /api/audit/events` (filters and pagination), `GET /api/audit/verify`, the signed
/// checkpoints and the reconciler's `POST /api/audit/syncs` and `POST /api/audit/drift`.
public struct AuditRoutes: Sendable {
    let pool: ConnectionPool
    let checkpointer: AuditCheckpointer

    public init(pool: ConnectionPool, checkpointer: AuditCheckpointer) {
        self.pool = pool
        self.checkpointer = checkpointer
    }

    public func register(on router: APIRouter) {
        ReportedEventRoute<SyncEvent>(pool: pool).register(on: router)
        AuditEventRoute(pool: pool).register(on: router)
        ReportedEventRoute<DriftEvent>(pool: pool).register(on: router)
        ReportedEventRoute<SourceControlEvent>(pool: pool).register(on: router)
        AuditCheckpointRoutes(checkpointer: checkpointer).register(on: router)
        router.get("/api/audit/events") { request, context in
            try context.require(.viewer)
            let query = request.uri.queryParameters
            let page = try PageRequest(request: request)
            var after: Int64?
            if let token = page.after {
                guard let n = Int64(token) else {
                    throw Problem(.badRequest, title: "Bad page_token", detail: "page_token is not one this server issued")
                }
                after = n
            }
            for key in ["since", "until"] {
                if let value = query[Substring(key)], !Self.looksLikeTime(String(value)) {
                    throw Problem(.badRequest, title: "Bad \(key)", detail: "\(key) must be an RFC 3339 time such as 2026-11-26T18:00:00Z")
                }
            }
            let order = query["order"].map(String.init) ?? "asc"
            guard order == "asc" || order == "desc" else {
                throw Problem(
                    .badRequest, title: "Bad order", detail: "order must be asc (oldest first, the default) or desc (newest first)")
            }
            // exclude_tool=a,b (or repeated): leave out events whose source.tool is one of them.
            let excluded = query.getAll("exclude_tool").flatMap { $0.split(separator: ",").map { String($0) } }.filter { !$0.isEmpty }
            let filter = AuditFilter(
                actor: query["actor"].map(String.init), resource: query["resource"].map(String.init),
                action: query["action"].map(String.init), since: query["since"].map(String.init),
                until: query["until"].map(String.init), afterSequence: after, limit: page.size + 1,
                descending: order == "desc", excludeTools: excluded)
            // A reader sees every event committed before its request, its own writes included.
            try await AuditSealer.catchUp(pool: pool)
            let events = try await pool.withConnection { try AuditLog.events(filter, on: $0) }
            var members = [JSONMember("items", .array(events.prefix(page.size).map(\.json)))]
            if events.count > page.size, let last = events.prefix(page.size).last {
                members.append(JSONMember("next_page_token", .string(PageRequest.token(after: String(last.sequence)))))
            }
            return Response.json(.object(members))
        }
        router.get("/api/audit/verify") { request, context in
            try context.require(.viewer)
            let raw = request.uri.queryParameters["scope"].map(String.init) ?? ChainVerification.Scope.full.rawValue
            guard let scope = ChainVerification.Scope(rawValue: raw) else {
                let scopes = ChainVerification.Scope.allCases.map(\.rawValue).joined(separator: " or ")
                throw Problem(.badRequest, title: "Bad scope", detail: "scope must be \(scopes), got \"\(raw)\"")
            }
            try await AuditSealer.catchUp(pool: pool)
            // The chain must also reach the newest checkpoint and match it: a cut-off tail shows.
            let checkpoint: AuditCheckpoint?
            do {
                checkpoint = try await checkpointer.trustedLatest()?.checkpoint
            } catch let failure as AuditChainError {
                let head = try await pool.withConnection { try AuditLog.headSequence(on: $0) }
                return Response.json(
                    ChainVerification(
                        valid: false, checked: 0, headSequence: head, headHash: "", firstBroken: failure.sequence ?? head,
                        reason: failure.message, scope: scope
                    ).json)
            }
            // Since the newest checkpoint: its signature (checked above) and every entry after it.
            // The checkpointer signed only after the entries before it linked to the previous one.
            if scope == .sinceCheckpoint, let checkpoint {
                let result = try await pool.withConnection { try AuditLog.verifyTail(after: checkpoint, on: $0) }
                return Response.json(result.json)
            }
            // No checkpoint yet (or a full walk asked for): every entry from the first.
            let result = try await pool.withConnection { try AuditLog.verify(on: $0, checkpoint: checkpoint) }
            return Response.json(result.json)
        }
    }

    static func looksLikeTime(_ text: String) -> Bool {
        text.count >= 10 && text.count <= 40 && text.first?.isNumber == true
            && text.allSatisfy { $0.isNumber || "-:.TZ+ ".contains($0) }
    }
}
