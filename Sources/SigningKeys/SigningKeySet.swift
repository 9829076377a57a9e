import Crypto
import Foundation
import Settings

/// Signing keys, each with an id: one signs, the others only verify (so keys rotate without
/// breaking what the old ones signed). Written as a key file, one key a line:
///
///     # comments and blank lines are ignored
///     2026-11 q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=
///     2026-05 3q2+796tvu/erb7v3q2+796tvu/erb7v3q2+796tvu8= verify-only
///
/// The signing key is the first one not marked `verify-only`.
public struct SigningKeySet: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var bytes: [UInt8]
        public var verifyOnly: Bool

        public init(id: String, bytes: [UInt8], verifyOnly: Bool = false) {
            self.id = id
            self.bytes = bytes
            self.verifyOnly = verifyOnly
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The key that signs (a parsed set always has one).
    public var signer: Entry { entries.first { !$0.verifyOnly } ?? entries[0] }

    public func key(id: String) -> Entry? { entries.first { $0.id == id } }

    public func contains(bytes: [UInt8]) -> Bool { entries.contains { $0.bytes == bytes } }

    /// The key file's text.
    public var text: String {
        "# DataPilot signing keys, one a line: <id> <base64 key> [verify-only]. The first key not marked verify-only signs.\n"
            + entries.map { Self.line(id: $0.id, bytes: $0.bytes, verifyOnly: $0.verifyOnly) }.joined()
    }

    public static func line(id: String, bytes: [UInt8], verifyOnly: Bool = false) -> String {
        "\(id) \(Data(bytes).base64EncodedString())\(verifyOnly ? " verify-only" : "")\n"
    }

    public static func isValidKeyID(_ id: some StringProtocol) -> Bool {
        (1...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// Parses a key file's text. Every problem names `source`, the line and what to do.
    public static func parse(_ text: String, source: String, kind: SigningKeyKind) throws -> SigningKeySet {
        var entries: [Entry] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            func problem(_ detail: String) -> SettingError { SettingError("\(source) line \(index + 1): \(detail)") }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else {
                throw problem(
                    "expected \"<id> <base64 key>\" (optionally followed by verify-only), found \(fields.count) field; "
                        + "make a line with `dpctl keys generate --type \(kind.rawValue)`")
            }
            let id = String(fields[0])
            guard isValidKeyID(id) else {
                throw problem("the key id \"\(id.prefix(70))\" may hold only letters, digits, '.', '_' and '-' (at most 64)")
            }
            guard fields.count <= 3, fields.count == 2 || fields[2] == "verify-only" else {
                throw problem(
                    "unexpected \"\(fields.dropFirst(2).joined(separator: " ").prefix(40))\" after the key of \"\(id)\"; the only word allowed there is verify-only"
                )
            }
            guard let data = Data(base64Encoded: String(fields[1])) else {
                throw problem("the key of \"\(id)\" is not base64; make one with `dpctl keys generate --type \(kind.rawValue)`")
            }
            if let wrong = kind.problem(with: Array(data)) { throw problem("the key of \"\(id)\" \(wrong)") }
            guard !entries.contains(where: { $0.id == id }) else {
                throw problem("the key id \"\(id)\" appears twice; every key needs an id of its own")
            }
            entries.append(Entry(id: id, bytes: Array(data), verifyOnly: fields.count == 3))
        }
        guard !entries.isEmpty else {
            throw SettingError(
                "\(source) holds no keys; add a line \"<id> <base64 key>\" (make one with `dpctl keys generate --type \(kind.rawValue)`)")
        }
        guard entries.contains(where: { !$0.verifyOnly }) else {
            throw SettingError(
                "\(source) has no signing key: every key is marked verify-only; remove verify-only from the key that should sign")
        }
        return SigningKeySet(entries: entries)
    }
}

/// The two kinds of keys the server signs with.
public enum SigningKeyKind: String, Sendable, CaseIterable {
    /// HMAC-SHA256 keys of the tokens from /auth/token and of run-scoped tokens.
    case token
    /// Ed25519 private keys of evidence bundles.
    case evidence

    /// The setting naming the key file (`DATAPILOT_…_FILE`, `--…`).
    public var fileSetting: String { "\(rawValue)-signing-keys-file" }
    /// The environment variable holding the key file's text itself.
    public var variable: String { "DATAPILOT_\(rawValue.uppercased())_SIGNING_KEYS" }
    /// The file generated under `<data-dir>/keys/` when nothing is configured.
    public var fileName: String { "\(rawValue)-signing-keys" }

    /// What is wrong with `bytes` as a key of this kind, if anything.
    public func problem(with bytes: [UInt8]) -> String? {
        switch self {
        case .token:
            return bytes.count >= 32
                ? nil : "must be at least 32 bytes (256 bits), has \(bytes.count); make one with `dpctl keys generate --type token`"
        case .evidence:
            guard bytes.count == 32, (try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes)) != nil else {
                return
                    "must be a 32-byte Ed25519 private key (base64), has \(bytes.count) bytes; make one with `dpctl keys generate --type evidence`"
            }
            return nil
        }
    }

    /// A fresh random key.
    public func generate() -> [UInt8] {
        switch self {
        case .token: return (0..<32).map { _ in UInt8.random(in: 0...255) }
        case .evidence: return Array(Curve25519.Signing.PrivateKey().rawRepresentation)
        }
    }

    /// A fresh key id: the kind, today's date and a random suffix (`token-20261130-3f9a`).
    public func newID(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd"
        let suffix = (0..<2).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "\(rawValue)-\(formatter.string(from: now))-\(suffix)"
    }
}
