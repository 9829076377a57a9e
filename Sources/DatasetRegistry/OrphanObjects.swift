import Foundation
import ObjectStore
import Postgres

/// An upload stores its content before the version row is written; when that write fails (a
/// 409 for a name taken with other content, a dataset deleted meanwhile) the object would stay
/// in the store with nothing referring to it. Objects are content-addressed and shared (the same
/// bytes as another version, an artifact, an evidence bundle or a report), so it is removed only
/// when no row of any table refers to its key, checked under the key's lock that every version
/// insert also takes (`lock(_:on:)`), so a concurrent insert of the same content either
/// committed before the check (and is seen) or waits for it.
enum OrphanObjects {
    /// Tables and columns holding object keys; a table this process does not have is skipped.
    static let references = [
        ("dataset_versions", "object_key"), ("run_artifacts", "object_key"),
        ("evidence_bundles", "object_key"), ("evidence_bundles", "report_key"), ("evaluations", "report_key"),
    ]

    static func lock(_ key: String, on connection: Connection) throws {
        try connection.query("select pg_advisory_xact_lock(hashtext($1))", ["object/" + key])
    }

    static func isReferenced(_ key: String, on connection: Connection) throws -> Bool {
        for (table, column) in references {
            guard try connection.query("select to_regclass($1) is not null as present", [table]).first?["present"] == "t" else { continue }
            if try !connection.query("select 1 from \(table) where \(column) = $1 limit 1", [key]).isEmpty { return true }
        }
        return false
    }

    /// Removes `key` from `store` unless a row refers to it. Never throws: a failed cleanup
    /// leaves an unreferenced object, which is wasted space, not a wrong answer.
    static func removeIfUnreferenced(_ key: String, pool: ConnectionPool, store: any ObjectStore) async {
        do {
            let referenced = try await pool.withTransaction { connection in
                try lock(key, on: connection)
                return try isReferenced(key, on: connection)
            }
            if !referenced { try await store.delete(key: key) }
        } catch {
            // Left for a later upload of the same content to reuse.
        }
    }
}
