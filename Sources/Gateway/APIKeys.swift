import Crypto
import Foundation
import Manifests
import Postgres
import ServiceKit
import Settings

/// API keys: long-lived, stored only as their sha256, revocable, optionally with an expiry.
extension TokenAuthority {
    public static let migrations = [
        Migration(
            100, "api keys and server secrets",
            """
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
        // Signing keys live in key files now; an empty server_secrets goes here, a full one once
        // the server has moved its keys out (SigningKeyStore).
        Migration(
            101, "signing keys leave the database; api keys may expire",
            """
            do $$ begin
                if to_regclass('server_secrets') is not null and not exists (select 1 from server_secrets) then
                    drop table server_secrets;
                end if;
            end $$;
            alter table api_keys add column expires_at timestamptz;
            """),
        // A key whose secret is replaced (the bootstrap key, after a leak) refuses the tokens issued before.
        Migration(102, "tokens of a replaced key", "alter table api_keys add column tokens_not_before timestamptz;"),
        // Rights beyond the role, space-separated (`provenance`: the reconciler's key).
        // The bootstrap key drives the one-machine setup's reconciler, so it asserts provenance.
        Migration(
            103, "api key scopes",
            """
            alter table api_keys add column scopes text not null default '';
            update api_keys set scopes = 'provenance' where id = 'bootstrap-admin';
            """),
        // Replacing a key's secret bumps its generation; tokens carry the one they were issued
        // for. The issue time against tokens_not_before compared the server's clock with the
        // database's (issue 21: a clock step refused a new key's tokens for hours).
        Migration(104, "api key generations", "alter table api_keys add column generation integer not null default 0;"),
    ]

    /// Installs the bootstrap admin key unless it is already installed. The key itself is
    /// never stored or logged, only its hash.
    public static func installBootstrapKey(_ key: String, pool: ConnectionPool) async throws -> Bool {
        guard key.count >= 16 else {
            throw SettingError("the bootstrap admin key must be at least 16 characters long")
        }
        let hash = secretHash(key)
        return try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                insert into api_keys (id, name, role, secret_hash, created_by, scopes)
                values ('bootstrap-admin', 'bootstrap admin', 'admin', $1, 'server', 'provenance')
                on conflict (id) do update set secret_hash = excluded.secret_hash, tokens_not_before = now(),
                    generation = api_keys.generation + 1
                    where api_keys.secret_hash <> excluded.secret_hash
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

    /// The principal for an API key, if it is known, not revoked and not past its expiry.
    public static func principal(forKey key: String, on connection: Connection) throws -> Principal? {
        guard
            let row = try connection.query(
                """
                select id, name, role, scopes, generation::text as generation, extract(epoch from expires_at)::text as expires from api_keys
                where secret_hash = $1 and revoked_at is null and (expires_at is null or expires_at > now())
                """, [secretHash(key)]
            ).first,
            let role = Role(rawValue: row["role"]!)
        else { return nil }
        return Principal(
            subject: "apikey:\(row["id"]!)", role: role, apiKeyID: row["id"]!,
            expiresAt: row["expires"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }, scopes: Scope.parse(row["scopes"]),
            keyGeneration: row["generation"].flatMap { Int($0) })
    }
}
