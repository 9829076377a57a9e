import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Manifests
import Postgres

/// `Idempotency-Key` on creates: the first answer is stored in the same transaction as the
/// change; a retry with the same key and body gets that answer again, and the same key with a
/// different body is refused (422), as the IETF idempotency-key draft describes.
public enum Idempotency {
    public static let migrations = [
        Migration(
            50, "idempotency keys",
            """
            create table idempotency_keys (
                principal text not null,
                key text not null,
                route text not null,
                request_hash text not null,
                status integer not null,
                body text not null,
                created_at timestamptz not null default now(),
                primary key (principal, key));
            """),
        // The object a create's key answered for: deleting the object forgets the key, so that a
        // create after a delete (a reverted deletion in git, `dpctl delete` then `apply`) creates
        // the object again instead of replaying the answer of the first create.
        Migration(
            51, "idempotency keys name their object",
            """
            alter table idempotency_keys add column object text;
            create index idempotency_keys_object on idempotency_keys (object) where object is not null;
            """),
    ]

    public struct Key: Sendable {
        public var principal: String
        public var key: String
        public var route: String
        public var requestHash: String
    }

    /// The key of this request, if it sent one (at most 255 visible ASCII characters).
    public static func key(_ request: Request, principal: Principal, route: String, body: [UInt8]) throws -> Key? {
        guard let raw = request.headers[.idempotencyKey] else { return nil }
        guard !raw.isEmpty, raw.utf8.count <= 255, raw.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw Problem(.badRequest, title: "Bad Idempotency-Key", detail: "Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        let hash = Hex.encode(SHA256.hash(data: Data(body)))
        return Key(principal: principal.subject, key: raw, route: route, requestHash: hash)
    }

    /// A key given in a body rather than a header (an object of a batch), for `body`.
    public static func key(_ raw: String, principal: Principal, route: String, body: [UInt8]) -> Key {
        Key(principal: principal.subject, key: raw, route: route, requestHash: Hex.encode(SHA256.hash(data: Data(body))))
    }

    /// The stored answer for a key, or nil when the key is new. Throws 422 when the key was used
    /// with another body or route.
    public static func replay(_ key: Key, on connection: Connection) throws -> (status: Int, body: String)? {
        guard
            let row = try connection.query(
                "select route, request_hash, status, body from idempotency_keys where principal = $1 and key = $2",
                [key.principal, key.key]
            ).first
        else { return nil }
        guard row["route"] == key.route, row["request_hash"] == key.requestHash else {
            throw Problem(
                .unprocessableContent, title: "Idempotency-Key reused",
                detail: "Idempotency-Key \"\(key.key)\" was already used for a different request; use a new key for a new request")
        }
        return (Int(row["status"]!)!, row["body"]!)
    }

    /// Stores the answer; `object` (`dataset/churn`) is what it created or answered with.
    public static func record(_ key: Key, status: Int, body: String, object: String? = nil, on connection: Connection) throws {
        try connection.query(
            "insert into idempotency_keys (principal, key, route, request_hash, status, body, object) values ($1, $2, $3, $4, $5, $6, $7)",
            [key.principal, key.key, key.route, key.requestHash, String(status), body, object])
    }

    /// The object is gone: the answers of the creates that made it are no longer true.
    public static func forget(object: String, on connection: Connection) throws {
        try connection.query("delete from idempotency_keys where object = $1", [object])
    }
}
