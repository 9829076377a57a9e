import Foundation

/// Credentials masked in text that may carry them: URLs with userinfo (`scheme://user:secret@host`),
/// `password=...` in libpq `key=value` strings and URL query strings, and, given the connection
/// string itself, every occurrence of its password in a message (libpq quotes fragments of a
/// malformed string in its errors). One function for every log line, status page and error.
/// No dependencies, so the C wrappers (Postgres) and the services can all use it.
public enum Redact {
    public static let mask = "***"

    /// `text` with the credentials of every URL and `password=` setting in it masked:
    /// `postgres://dp:***@db/x`, `https://***@git.example.com/r.git` (a lone userinfo of an
    /// http(s) URL is usually a token), `password=***`.
    public static func credentials(_ text: String) -> String {
        var out = maskUserInfo(text)
        out = maskPasswordSettings(out)
        return out
    }

    /// `text` with each of `secrets` (four characters or longer) masked, then `credentials(_:)`:
    /// a delivery error as logged, whatever the receiver echoed back.
    public static func secrets(_ secrets: [String], in text: String) -> String {
        var masked = text
        for secret in secrets where secret.count >= 4 { masked = masked.replacingOccurrences(of: secret, with: mask) }
        return credentials(masked)
    }

    /// `message` with every credential of `conninfo` (a `postgres://` URL or libpq string)
    /// masked, wherever libpq quoted it, then `credentials(_:)`.
    public static func message(_ message: String, conninfo: String) -> String {
        var out = message
        for secret in passwords(in: conninfo) where secret.count >= 1 {
            out = out.replacingAll(secret, with: mask)
        }
        return credentials(out)
    }

    /// The passwords a connection string carries: the URL's userinfo password (raw and
    /// percent-decoded) and every `password=` value.
    public static func passwords(in conninfo: String) -> [String] {
        var found: [String] = []
        if let scheme = conninfo.range(of: "://") {
            let rest = conninfo[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let raw = String(authority[authority.index(after: colon)..<at])
                found.append(raw)
                if let decoded = raw.removingPercentEncodingIfValid, decoded != raw { found.append(decoded) }
            }
        }
        for value in passwordValues(conninfo) {
            found.append(value)
            if let decoded = value.removingPercentEncodingIfValid, decoded != value { found.append(decoded) }
        }
        // Longest first, so a password containing another is masked whole.
        return Array(Set(found.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    /// Whether `url` carries credentials in its userinfo: any password (`user:secret@`), or for
    /// http(s) any userinfo at all (`token@` is how tokens are put in HTTPS URLs).
    public static func hasCredentials(url: String) -> Bool {
        guard let (scheme, userInfo) = userInfo(of: url) else { return false }
        return userInfo.contains(":") || scheme == "http" || scheme == "https"
    }

    // MARK: - pieces

    static func userInfo(of url: String) -> (scheme: String, userInfo: Substring)? {
        guard let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return nil }
        return (scheme, rest[..<at])
    }

    static func isSchemeCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "+" || c == "-" || c == ".")
    }

    /// Every `scheme://userinfo@` in free text, masked.
    static func maskUserInfo(_ text: String) -> String {
        var out = ""
        var index = text.startIndex
        while let separator = text.range(of: "://", range: index..<text.endIndex) {
            // The scheme: letters, digits, + - . before "://".
            var schemeStart = separator.lowerBound
            while schemeStart > index, isSchemeCharacter(text[text.index(before: schemeStart)]) {
                schemeStart = text.index(before: schemeStart)
            }
            let scheme = text[schemeStart..<separator.lowerBound].lowercased()
            out += text[index..<separator.upperBound]
            let rest = separator.upperBound
            // The authority ends at / ? # or anything that cannot be in one (space, quote).
            let end = text[rest...].firstIndex(where: { "/?#\"'<> \t\n\r".contains($0) }) ?? text.endIndex
            let authority = text[rest..<end]
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    out += String(userInfo[..<colon]) + ":" + mask
                } else if scheme == "http" || scheme == "https" {
                    out += mask
                } else {
                    out += userInfo
                }
                out += authority[at...]
            } else {
                out += authority
            }
            index = end
        }
        out += text[index...]
        return out
    }

    /// `password=value` (libpq key=value, `'quoted values'`, URL queries), masked.
    static func maskPasswordSettings(_ text: String) -> String {
        var out = ""
        var index = text.startIndex
        while let key = text.range(of: "password", options: .caseInsensitive, range: index..<text.endIndex) {
            out += text[index..<key.upperBound]
            var cursor = key.upperBound
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            guard cursor < text.endIndex, text[cursor] == "=" else {
                index = key.upperBound
                continue
            }
            out += text[key.upperBound...cursor]
            cursor = text.index(after: cursor)
            while cursor < text.endIndex, text[cursor] == " " {
                out.append(" ")
                cursor = text.index(after: cursor)
            }
            let (_, end) = value(in: text, at: cursor)
            out += mask
            index = end
        }
        out += text[index...]
        return out
    }

    /// The values of every `password=` setting.
    static func passwordValues(_ text: String) -> [String] {
        var values: [String] = []
        var index = text.startIndex
        while let key = text.range(of: "password", options: .caseInsensitive, range: index..<text.endIndex) {
            var cursor = key.upperBound
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            index = key.upperBound
            guard cursor < text.endIndex, text[cursor] == "=" else { continue }
            cursor = text.index(after: cursor)
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            let (value, end) = value(in: text, at: cursor)
            values.append(value)
            index = end
        }
        return values
    }

    /// A libpq value at `start`: `'single quoted'` with backslash escapes, else up to a space,
    /// `&` (URL queries), a quote or the end.
    static func value(in text: String, at start: String.Index) -> (String, String.Index) {
        var cursor = start
        var value = ""
        if cursor < text.endIndex, text[cursor] == "'" {
            cursor = text.index(after: cursor)
            while cursor < text.endIndex, text[cursor] != "'" {
                if text[cursor] == "\\", text.index(after: cursor) < text.endIndex { cursor = text.index(after: cursor) }
                value.append(text[cursor])
                cursor = text.index(after: cursor)
            }
            if cursor < text.endIndex { cursor = text.index(after: cursor) }
            return (value, cursor)
        }
        while cursor < text.endIndex, !" &\"\t\n\r".contains(text[cursor]) {
            value.append(text[cursor])
            cursor = text.index(after: cursor)
        }
        return (value, cursor)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var index = startIndex
        while let found = range(of: target, range: index..<endIndex) {
            out += String(self[index..<found.lowerBound]) + replacement
            index = found.upperBound
        }
        return out + String(self[index...])
    }

    /// Percent-decoded, or nil when an escape is malformed.
    var removingPercentEncodingIfValid: String? {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
