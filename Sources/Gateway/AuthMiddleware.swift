import Foundation
import Hummingbird
import Postgres
import ServiceKit

/// Resolves `Authorization: Bearer ...` (a token from /auth/token, or an API key) into the
/// request's principal. A credential that is present but wrong is refused at once with 401;
/// routes decide for themselves whether they need a principal and which role. A token lives no
/// longer than its API key: a revoked or expired key's tokens are refused within
/// `revocation-check-seconds` (run-scoped tokens are checked against their run by `RunScope`).
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let credentials: TokenAuthority
    let pool: ConnectionPool
    let keyStatus: APIKeyStatus

    public init(credentials: TokenAuthority, pool: ConnectionPool) {
        self.credentials = credentials
        self.pool = pool
        keyStatus = APIKeyStatus(pool: pool, ttlSeconds: credentials.revocationCheckSeconds)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.lowercased().hasPrefix("bearer "), case let secret = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces),
            !secret.isEmpty
        else {
            throw unauthorized("the Authorization header must be \"Bearer <token or API key>\"")
        }
        var context = context
        if secret.hasPrefix("dpt.") {
            switch credentials.verify(token: secret) {
            case .valid(let principal, _):
                if principal.role != .runner {
                    guard let key = principal.apiKeyID else {
                        throw unauthorized("the token names no API key; get a new one from /auth/token")
                    }
                    guard try await keyStatus.isUsable(key, issuedAt: principal.issuedAt, generation: principal.keyGeneration) else {
                        throw unauthorized(
                            "the API key \"\(key)\" this token was issued for has been revoked, has expired or was replaced; its tokens no longer work: get a new one from /auth/token"
                        )
                    }
                }
                context.principal = principal
            case .invalid(let reason): throw unauthorized(reason)
            }
        } else {
            guard let principal = try await pool.withConnection({ try TokenAuthority.principal(forKey: secret, on: $0) }) else {
                throw unauthorized("unknown or revoked API key (or one past its expiry)")
            }
            context.principal = principal
        }
        context.logger[metadataKey: "subject"] = .string(context.principal!.subject)
        return try await next(request, context)
    }

    func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, title: "Unauthorized", detail: detail, headers: [.wwwAuthenticate: "Bearer realm=\"datapilot\""])
    }
}
