import Crypto
import Foundation
import Git

/// An OpenSSH known_hosts file: plain (`host`, `[host]:port`, comma lists, `*`/`?` wildcards,
/// `!` negation) and hashed (`|1|salt|hash`) host entries; `@revoked` keys are refused and
/// `@cert-authority` lines are ignored (certificates are not supported).
struct KnownHosts: Sendable {
    struct Entry: Sendable {
        var patterns: [String]
        var type: String
        var key: [UInt8]
        var revoked: Bool
    }

    var path: String
    var entries: [Entry]

    init(path: String, text: String) {
        self.path = path
        entries = text.split(whereSeparator: \.isNewline).compactMap(Self.entry)
    }

    static func entry(_ line: Substring) -> Entry? {
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = fields.first, !first.hasPrefix("#") else { return nil }
        var revoked = false
        if first.hasPrefix("@") {
            guard first == "@revoked" else { return nil }
            revoked = true
            fields.removeFirst()
        }
        guard fields.count >= 3, let key = Data(base64Encoded: fields[2]) else { return nil }
        return Entry(patterns: fields[0].split(separator: ",").map(String.init), type: fields[1], key: Array(key), revoked: revoked)
    }

    /// The name known_hosts uses for a server: `host`, or `[host]:port` off port 22.
    static func name(host: String, port: Int?) -> String {
        guard let port, port != 22 else { return host }
        return "[\(host)]:\(port)"
    }

    func verdict(for key: HostKey, port: Int?) -> HostKeyVerdict {
        let name = Self.name(host: key.host, port: port)
        let listed = entries.filter { Self.matches($0.patterns, name) }
        let offered = Self.describe(key)
        guard !listed.isEmpty else {
            return .reject(
                "host \(name) is not in known_hosts \(path) (it offered \(offered)); after checking that fingerprint, add the key, e.g. ssh-keyscan\(port.map { " -p \($0)" } ?? "") \(key.host) >> \(path)"
            )
        }
        let same = listed.filter { entry in
            if let raw = key.raw { return raw == entry.key && (key.type == nil || key.type == entry.type) }
            if let digest = key.sha256 { return Array(SHA256.hash(data: entry.key)) == digest }
            return false
        }
        if same.contains(where: \.revoked) {
            return .reject("the host key of \(name) (\(offered)) is marked @revoked in known_hosts \(path); do not connect")
        }
        guard !same.isEmpty else {
            let known = listed.map { "\($0.type) \(Self.fingerprint($0.key))" }.joined(separator: ", ")
            return .reject(
                "the host key of \(name) (\(offered)) does not match known_hosts \(path) (\(known)); someone may be intercepting the connection, or the server's key changed: verify it, then update known_hosts"
            )
        }
        return .accept
    }

    static func describe(_ key: HostKey) -> String {
        let digest = key.sha256 ?? key.raw.map { Array(SHA256.hash(data: $0)) }
        return [key.type, digest.map { "SHA256:" + base64($0) }].compactMap { $0 }.joined(separator: " ")
    }

    static func fingerprint(_ blob: [UInt8]) -> String { "SHA256:" + base64(Array(SHA256.hash(data: blob))) }

    static func base64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Whether a comma-separated pattern list selects `name`: some pattern matches and no negated one does.
    static func matches(_ patterns: [String], _ name: String) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("|1|") {
                if hashedMatch(pattern, name) { matched = true }
            } else if pattern.hasPrefix("!") {
                if wildcard(Array(pattern.dropFirst().lowercased()), Array(name.lowercased())) { return false }
            } else if wildcard(Array(pattern.lowercased()), Array(name.lowercased())) {
                matched = true
            }
        }
        return matched
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
    static func hashedMatch(_ pattern: String, _ name: String) -> Bool {
        let parts = pattern.split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
            let hash = Data(base64Encoded: String(parts[2]))
        else { return false }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(code) == hash
    }

    /// `*` (any run) and `?` (one character) glob matching.
    static func wildcard(_ pattern: [Character], _ text: [Character]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
