import Audit
import Foundation
import Hummingbird
import Manifests
import Postgres
import ServiceKit

/// `/auth/token`, `/auth/whoami` and the admin's `/auth/api-keys`.
public struct AuthRoutes: Sendable {
    let credentials: TokenAuthority
    let pool: ConnectionPool

    public init(credentials: TokenAuthority, pool: ConnectionPool) {
        self.credentials = credentials
        self.pool = pool
    }

    public func register(on router: APIRouter) {
        router.post("/auth/token") { _, context in
            // The API key arrives as the bearer credential and is already resolved.
            let principal = try context.require(.viewer)
            guard !principal.viaToken else {
                throw Problem(.forbidden, title: "Forbidden", detail: "exchange an API key for a token, not a token")
            }
            let (token, expires) = credentials.issueToken(for: principal)
            return Response.json([
                "access_token": .string(token), "token_type": "Bearer",
                "expires_in": .int(Int64(expires.timeIntervalSinceNow.rounded())),
                "role": .string(principal.role.rawValue),
            ])
        }
        router.get("/auth/whoami") { _, context in
            guard let principal = context.principal else {
                throw Problem(.unauthorized, title: "Authentication required", detail: "send an Authorization: Bearer header")
            }
            var members = [JSONMember("subject", .string(principal.subject)), JSONMember("role", .string(principal.role.rawValue))]
            if let run = principal.runID { members.append(JSONMember("run_id", .string(run))) }
            if !principal.scopes.isEmpty { members.append(JSONMember("scopes", Self.json(principal.scopes))) }
            return Response.json(.object(members))
        }
        router.post("/auth/api-keys") { request, context in
            let admin = try context.require(.admin)
            let body = try await request.jsonBody(context: context)
            guard case .success(let value) = JSONText.parse(body), let name = value["name"]?.stringValue, !name.isEmpty,
                let role = value["role"]?.stringValue.flatMap(Role.init(rawValue:)), role != .runner
            else {
                throw Problem(
                    .unprocessableContent, title: "Invalid API key request",
                    detail: "send {\"name\": \"...\", \"role\": \"viewer|editor|executor|admin\"}")
            }
            // An optional expiry: the key, and every token issued for it, stop then.
            let expiresAt = try Self.expiry(value["expiresAt"])
            let scopes = try Self.scopes(value["scopes"])
            let (id, secret) = TokenAuthority.newKey()
            let requestID = context.requestID
            try await pool.withTransaction { connection in
                try connection.query(
                    """
                    insert into api_keys (id, name, role, secret_hash, created_by, expires_at, scopes)
                    values ($1, $2, $3, $4, $5, $6::timestamptz, $7)
                    """,
                    [id, name, role.rawValue, TokenAuthority.secretHash(secret), admin.subject, expiresAt, Scope.format(scopes)])
                var after: [JSONMember] = [
                    JSONMember("id", .string(id)), JSONMember("name", .string(name)), JSONMember("role", .string(role.rawValue)),
                ]
                if !scopes.isEmpty { after.append(JSONMember("scopes", Self.json(scopes))) }
                try AuditLog.append(
                    AuditDraft(
                        actor: admin.subject, action: "create", resource: "apikey/\(id)", requestID: requestID, after: .object(after)),
                    on: connection)
            }
            var answer: [JSONMember] = [
                JSONMember("id", .string(id)), JSONMember("name", .string(name)), JSONMember("role", .string(role.rawValue)),
                JSONMember("key", .string(secret)),
            ]
            if !scopes.isEmpty { answer.append(JSONMember("scopes", Self.json(scopes))) }
            if let expiresAt { answer.append(JSONMember("expiresAt", .string(expiresAt))) }
            return Response.json(.object(answer), status: .created)
        }
        router.get("/auth/api-keys") { _, context in
            try context.require(.admin)
            let rows = try await pool.withConnection {
                try $0.query(
                    """
                    select id, name, role, scopes, created_by, created_at::text as created_at, revoked_at::text as revoked_at,
                        \(SQLTime.utc("expires_at"))
                    from api_keys order by id
                    """)
            }
            return Response.json([
                "items": .array(
                    rows.map { row in
                        [
                            "id": .string(row["id"]!), "name": .string(row["name"]!), "role": .string(row["role"]!),
                            "created_by": .string(row["created_by"]!), "revoked": .bool(row["revoked_at"] != nil),
                            "expiresAt": row["expires_at"].map(JSONValue.string) ?? .null,
                            "scopes": Self.json(Scope.parse(row["scopes"])),
                        ]
                    })
            ])
        }
        router.delete("/auth/api-keys/:id") { _, context in
            let admin = try context.require(.admin)
            let id = try context.parameters.require("id")
            let requestID = context.requestID
            let revoked = try await pool.withTransaction { connection -> Bool in
                let rows = try connection.query(
                    "update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning id", [id])
                guard !rows.isEmpty else { return false }
                try AuditLog.append(
                    AuditDraft(actor: admin.subject, action: "revoke", resource: "apikey/\(id)", requestID: requestID),
                    on: connection)
                return true
            }
            guard revoked else { throw Problem.notFound("API key \(id)") }
            return Response(status: .noContent)
        }
    }

    /// An API key's optional expiry: a future RFC 3339 time, normalised.
    /// An API key's optional scopes: a list of known scope names (`provenance`).
    static func scopes(_ given: JSONValue?) throws -> Set<Scope> {
        func refuse(_ message: String) -> Problem {
            Problem(
                .unprocessableContent, title: "Invalid API key request",
                detail: "\(message); scopes is a list of \(Scope.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        guard let given, given != .null else { return [] }
        guard let items = given.arrayValue else { throw refuse("scopes: must be a list") }
        var scopes: Set<Scope> = []
        for (index, item) in items.enumerated() {
            guard let word = item.stringValue else { throw refuse("scopes[\(index)]: must be a string") }
            guard let scope = Scope(rawValue: word) else {
                throw refuse("scopes[\(index)]: unknown scope \"\(String(word.prefix(64)))\"")
            }
            scopes.insert(scope)
        }
        return scopes
    }

    static func json(_ scopes: Set<Scope>) -> JSONValue { .array(scopes.map(\.rawValue).sorted().map(JSONValue.string)) }

    static func expiry(_ given: JSONValue?) throws -> String? {
        guard let given, given != .null else { return nil }
        guard let text = given.stringValue, let date = ISO8601DateFormatter().date(from: text), date > Date() else {
            throw Problem(
                .unprocessableContent, title: "Invalid API key request",
                detail: "expiresAt must be a future RFC 3339 time such as 2027-01-31T00:00:00Z")
        }
        return ISO8601DateFormatter().string(from: date)
    }
}
