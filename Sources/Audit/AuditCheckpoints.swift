import AuditChain
import Foundation
import Manifests
import ObjectStore
import Postgres

/// Where signed checkpoints of the chain live: a table in Postgres, and a copy of each in the
/// object store (`audit/checkpoints/<sequence>.json`, the newest also as
/// `audit/checkpoints/latest.json`), so that deleting rows in the database hides none of them.
public struct AuditCheckpoints: Sendable {
    public static let latestKey = "audit/checkpoints/latest.json"
    static let mediaType = "application/json"
    /// A checkpoint is a few hundred bytes; anything much larger under its key is not one.
    static let maximumBytes = 64 << 10

    public static let migrations = [
        Migration(
            210, "audit checkpoints",
            """
            create table audit_checkpoints (
                sequence bigint primary key,
                hash text not null,
                time_text text not null,
                key_id text not null,
                document text not null);
            """)
    ]

    let pool: ConnectionPool
    let store: any ObjectStore

    public init(pool: ConnectionPool, store: any ObjectStore) {
        self.pool = pool
        self.store = store
    }

    public static func key(for sequence: Int64) -> String {
        "audit/checkpoints/" + String(repeating: "0", count: max(0, 20 - String(sequence).count)) + String(sequence) + ".json"
    }

    /// Records `signed` in Postgres and the object store (the object store first: a checkpoint
    /// Postgres has is always in the object store too).
    func save(_ signed: SignedAuditCheckpoint) async throws {
        let bytes = Array(signed.json.jsonString(pretty: true).utf8)
        try await store.putNamed(bytes, key: Self.key(for: signed.checkpoint.sequence), contentType: Self.mediaType)
        // Never replaced by an older one (two processes signing at once).
        if (try await objectCopy()?.checkpoint.sequence ?? 0) < signed.checkpoint.sequence {
            try await store.putNamed(bytes, key: Self.latestKey, contentType: Self.mediaType)
        }
        let checkpoint = signed.checkpoint
        try await pool.withConnection { connection in
            try connection.query(
                """
                insert into audit_checkpoints (sequence, hash, time_text, key_id, document) values ($1, $2, $3, $4, $5)
                on conflict (sequence) do nothing
                """,
                [String(checkpoint.sequence), checkpoint.hash, checkpoint.time, checkpoint.keyID, signed.json.jsonString()])
        }
    }

    /// The newest checkpoint: Postgres's, or the object store's copy when that one is newer
    /// (rows deleted in the database do not hide it).
    public func latest() async throws -> SignedAuditCheckpoint? {
        let stored = try await pool.withConnection { connection in
            try connection.query("select document from audit_checkpoints order by sequence desc limit 1").first?["document"]
        }
        let fromDatabase = try stored.map { try Self.decode(Array($0.utf8), from: "audit_checkpoints") }
        let fromStore = try await objectCopy()
        switch (fromDatabase, fromStore) {
        case (let database?, let object?): return object.checkpoint.sequence > database.checkpoint.sequence ? object : database
        case (let database, let object): return database ?? object
        }
    }

    /// The newest checkpoint of each place that has one, Postgres's and the object store's,
    /// decoded but not verified; a document that does not read as a checkpoint is an error that
    /// names where it is (never "no checkpoint": that would switch the anchor off).
    func candidates() async throws -> [SignedAuditCheckpoint] {
        let stored = try await pool.withConnection { connection in
            try connection.query("select document from audit_checkpoints order by sequence desc limit 1").first?["document"]
        }
        var found = try stored.map { [try Self.decode(Array($0.utf8), from: "audit_checkpoints")] } ?? []
        if let bytes = try await store.getNamed(key: Self.latestKey, maximumBytes: Self.maximumBytes) {
            found.append(try Self.decode(bytes, from: "the object store's \(Self.latestKey)"))
        }
        return found
    }

    /// `audit/checkpoints/latest.json`, if the object store has one that reads as a checkpoint
    /// (whether its signature holds is the reader's check).
    func objectCopy() async throws -> SignedAuditCheckpoint? {
        guard let bytes = try await store.getNamed(key: Self.latestKey, maximumBytes: Self.maximumBytes) else { return nil }
        return try? Self.decode(bytes, from: "the object store's \(Self.latestKey)")
    }

    /// Checkpoints newest first, after (older than) `before` when given.
    public func list(before: Int64?, limit: Int) async throws -> [SignedAuditCheckpoint] {
        let rows = try await pool.withConnection { connection in
            try connection.query(
                "select document from audit_checkpoints where ($1::bigint is null or sequence < $1::bigint) order by sequence desc limit $2",
                [before.map(String.init), String(limit)])
        }
        return try rows.map { try Self.decode(Array(($0["document"] ?? "").utf8), from: "audit_checkpoints") }
    }

    static func decode(_ bytes: [UInt8], from origin: String) throws -> SignedAuditCheckpoint {
        guard case .success(let json) = JSONText.parse(bytes) else {
            throw AuditChainError(.malformed, "the checkpoint in \(origin) is not JSON")
        }
        return try SignedAuditCheckpoint(json: json, at: origin)
    }
}
