import Crypto
import Foundation
import Manifests
import Postgres
import ServiceKit

/// API keys (long-lived, stored only as their sha256) and the short-lived signed tokens they are
/// exchanged for. Tokens are `dpt.<payload>.<signature>`, base64url, HMAC-SHA256 with a key kept
/// in Postgres so every gateway replica accepts every other's tokens.
public struct Credentials: Sendable {
    /// Raw bytes (SymmetricKey is not Sendable); made into a key per use.
    let signingKeyBytes: [UInt8]
    var signingKey: SymmetricKey { SymmetricKey(data: signingKeyBytes) }
    public let tokenLifetime: TimeInterval

    public init(signingKey: [UInt8], tokenLifetime: TimeInterval = 3600) {
        signingKeyBytes = signingKey
        self.tokenLifetime = tokenLifetime
    }

    public static let migrations = [
        Migration(100, "api keys and server secrets", """
            create table api_keys (
                id text primary key,
                name text not null,
                role text not null,
                secret_hash text not null unique,
                created_at timestamptz not null default now(),
                created_by text not null,
                revoked_at timestamptz);
            create table server_secrets (
                name text primary key,
                value text not null,
                created_at timestamptz not null default now());
            """),
    ]

    /// Loads the token signing key, creating it on the very first start.
    public static func load(pool: ConnectionPool, tokenLifetime: TimeInterval = 3600) async throws -> Credentials {
        let fresh = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let value = try await pool.withConnection { connection in
            try connection.query("insert into server_secrets (name, value) values ('token-signing-key', $1) on conflict do nothing", [fresh])
            return try connection.query("select value from server_secrets where name = 'token-signing-key'").first!["value"]!
        }
        return Credentials(signingKey: Array(Data(base64Encoded: value)!), tokenLifetime: tokenLifetime)
    }

    /// Installs the bootstrap admin key unless it is already installed. The key itself is
    /// never stored or logged, only its hash.
    public static func installBootstrapKey(_ key: String, pool: ConnectionPool) async throws -> Bool {
        guard key.count >= 16 else {
            throw ConfigurationError("the bootstrap admin key must be at least 16 characters long")
        }
        let hash = secretHash(key)
        return try await pool.withConnection { connection in
            let rows = try connection.query("""
                insert into api_keys (id, name, role, secret_hash, created_by) values ('bootstrap-admin', 'bootstrap admin', 'admin', $1, 'server')
                on conflict (id) do update set secret_hash = excluded.secret_hash where api_keys.secret_hash <> excluded.secret_hash
                returning id
                """, [hash])
            return !rows.isEmpty
        }
    }

    static func secretHash(_ secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)))
    }

    /// A new API key: shown once, stored as its hash.
    public static func newKey() -> (id: String, secret: String) {
        let id = Hex.encode((0..<6).map { _ in UInt8.random(in: 0...255) })
        let secret = Base64URL.encode((0..<24).map { _ in UInt8.random(in: 0...255) })
        return (id, "dpk_\(id)_\(secret)")
    }

    /// A run-scoped token: it posts telemetry and artifacts for `run` and reads the run's inputs,
    /// only while the run is live (checked on every use); a week is only its outer bound.
    public func runToken(for run: String) -> String {
        issueToken(for: Principal(subject: "run:\(run)", role: .runner, runID: run), lifetime: 7 * 86_400).token
    }

    /// The principal for an API key, if it is known and not revoked.
    public static func principal(forKey key: String, on connection: Connection) throws -> Principal? {
        guard let row = try connection.query("select id, name, role from api_keys where secret_hash = $1 and revoked_at is null",
                                             [secretHash(key)]).first,
              let role = Role(rawValue: row["role"]!) else { return nil }
        return Principal(subject: "apikey:\(row["id"]!)", role: role)
    }

    public func issueToken(for principal: Principal, now: Date = Date(), lifetime: TimeInterval? = nil) -> (token: String, expires: Date) {
        let expires = now.addingTimeInterval(lifetime ?? tokenLifetime)
        var payload: [JSONMember] = [
            JSONMember("sub", .string(principal.subject)), JSONMember("role", .string(principal.role.rawValue)),
            JSONMember("iat", .int(Int64(now.timeIntervalSince1970))), JSONMember("exp", .int(Int64(expires.timeIntervalSince1970))),
        ]
        if let run = principal.runID { payload.append(JSONMember("run", .string(run))) }
        let body = Base64URL.encode(JSONValue.object(payload).canonicalJSON)
        return ("dpt.\(body).\(sign(body))", expires)
    }

    func sign(_ body: String) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: signingKey))
    }

    public enum TokenCheck: Sendable {
        case valid(Principal, expires: Date)
        case invalid(String)
    }

    public func verify(token: String, now: Date = Date()) -> TokenCheck {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "dpt" else { return .invalid("not a DataPilot token") }
        let body = String(parts[1])
        guard let given = Base64URL.decode(String(parts[2])),
              HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(body.utf8), using: signingKey) else {
            return .invalid("the token's signature does not match; get a new one from /auth/token")
        }
        guard let json = Base64URL.decode(body), case .success(let payload) = JSONText.parse(json),
              let subject = payload["sub"]?.stringValue, let role = payload["role"]?.stringValue.flatMap(Role.init(rawValue:)),
              let exp = payload["exp"]?.numberValue else {
            return .invalid("the token is malformed")
        }
        let expires = Date(timeIntervalSince1970: exp)
        guard expires > now else { return .invalid("the token expired at \(ISO8601DateFormatter().string(from: expires)); get a new one from /auth/token") }
        return .valid(Principal(subject: subject, role: role, runID: payload["run"]?.stringValue, viaToken: true), expires: expires)
    }
}

public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
