import Foundation
import Logging
import Postgres
import Settings
import SigningKeys

/// Where a server's signing keys come from, in order: the environment variable holding the key
/// file's text, the configured key file (in Kubernetes a mounted Secret), or, with neither, a
/// file generated on the first start under `<data-dir>/keys/` (folder 0700, file 0600). Never
/// the database: keys an earlier version kept in `server_secrets` are moved out on start.
public struct SigningKeyStore: Sendable {
    public var kind: SigningKeyKind
    /// The configured key file, if any.
    public var file: String?
    /// The key file's text from the environment, if any.
    public var inline: String?
    /// The server's data folder, home of generated keys.
    public var dataDirectory: String

    public init(kind: SigningKeyKind, file: String?, inline: String?, dataDirectory: String) {
        self.kind = kind
        self.file = file
        self.inline = inline
        self.dataDirectory = dataDirectory
    }

    /// Whether the operator chose the keys (rather than the server generating its own).
    public var isConfigured: Bool { !(inline ?? "").isEmpty || file != nil }

    public var generatedPath: String {
        URL(fileURLWithPath: dataDirectory, isDirectory: true).appendingPathComponent("keys").appendingPathComponent(kind.fileName).path
    }

    /// The keys, after moving any key of an earlier version out of the database.
    public func load(pool: ConnectionPool, logger: Logger) async throws -> SigningKeySet {
        var keys: SigningKeySet?
        if let inline, !inline.isEmpty {
            keys = try SigningKeySet.parse(inline, source: kind.variable, kind: kind)
        } else if let file {
            keys = try SigningKeySet.parse(
                try SigningKeyFile.read(file, setting: kind.fileSetting), source: "\(file) (\(kind.fileSetting))", kind: kind)
        } else if FileManager.default.fileExists(atPath: generatedPath) {
            keys = try SigningKeySet.parse(
                try SigningKeyFile.read(generatedPath, setting: "the generated key file"), source: generatedPath, kind: kind)
        }
        if let legacy = try await LegacySecrets.value(of: kind, pool: pool) {
            keys = try adopt(legacy, into: keys, logger: logger)
            try await LegacySecrets.remove(kind, pool: pool)
        }
        if let keys { return keys }
        let fresh = SigningKeySet(entries: [.init(id: kind.newID(), bytes: kind.generate())])
        try SigningKeyFile.write(fresh, to: generatedPath)
        logger.notice(
            "generated the \(kind.rawValue) signing key (none was configured); it is kept in a file, never in the database",
            metadata: ["file": .string(generatedPath), "keyid": .string(fresh.signer.id), "setting": .string(kind.fileSetting)])
        return fresh
    }

    /// The key an earlier version kept in the database, taken into the key set (or refused).
    func adopt(_ legacy: [UInt8], into keys: SigningKeySet?, logger: Logger) throws -> SigningKeySet? {
        if let keys, keys.contains(bytes: legacy) { return keys }
        if !isConfigured {
            // It signed what exists so far, so it stays the signer of a new file; next to keys
            // generated before, it only verifies.
            var moved = keys ?? SigningKeySet(entries: [])
            var id = LegacySecrets.keyID
            while moved.key(id: id) != nil { id += "-1" }
            moved.entries.append(.init(id: id, bytes: legacy, verifyOnly: keys != nil))
            try SigningKeyFile.write(moved, to: generatedPath)
            logger.notice(
                "moved the \(kind.rawValue) signing key of an earlier version out of the database into a key file",
                metadata: ["file": .string(generatedPath), "keyid": .string(id)])
            return moved
        }
        let source = inline.map { _ in kind.variable } ?? file ?? kind.variable
        switch kind {
        case .token:
            logger.warning(
                "the database held the token signing key of an earlier version; it is deleted, and tokens it signed must be fetched again from /auth/token (add it to the key file as \(LegacySecrets.keyID) to keep them)",
                metadata: ["keys": .string(source)])
            return keys
        case .evidence:
            throw SettingError(
                """
                the database still holds the evidence signing key of an earlier version (table server_secrets), which signed the evidence \
                bundles made so far, and \(source) (\(kind.fileSetting)) does not hold it. So that those bundles still verify, add it as a \
                verify-only key, then start again (the server then deletes it from the database): \
                psql "$DATAPILOT_DATABASE_URL" -Atc "select '\(LegacySecrets.keyID) ' || value || ' verify-only' from server_secrets where name = 'evidence-signing-key'" >> \(file ?? "<key file>")
                """)
        }
    }
}

/// `server_secrets`, where versions before key files kept both signing keys. Read once to move
/// the keys out, then emptied and dropped.
enum LegacySecrets {
    /// The id a key moved out of the database takes.
    static let keyID = "legacy-db"

    static func value(of kind: SigningKeyKind, pool: ConnectionPool) async throws -> [UInt8]? {
        try await pool.withConnection { connection -> [UInt8]? in
            guard try connection.query("select to_regclass('server_secrets')::text as t").first?["t"] != nil,
                let value = try connection.query("select value from server_secrets where name = $1", [kind.legacyName]).first?["value"]
            else { return nil }
            guard let bytes = Data(base64Encoded: value) else {
                throw SettingError("server_secrets holds a \(kind.legacyName) that is not base64; delete that row (its key cannot be used)")
            }
            return Array(bytes)
        }
    }

    /// Deletes the row of `kind`, and the table once it is empty.
    static func remove(_ kind: SigningKeyKind, pool: ConnectionPool) async throws {
        try await pool.withTransaction { connection in
            try connection.query("select pg_advisory_xact_lock(hashtext('datapilot.server_secrets'))")
            guard try connection.query("select to_regclass('server_secrets')::text as t").first?["t"] != nil else { return }
            try connection.query("delete from server_secrets where name = $1", [kind.legacyName])
            if try connection.query("select 1 from server_secrets limit 1").isEmpty {
                try connection.query("drop table server_secrets")
            }
        }
    }
}

extension SigningKeyKind {
    /// The row of `server_secrets` where versions before key files kept the key.
    var legacyName: String { "\(rawValue)-signing-key" }
}
