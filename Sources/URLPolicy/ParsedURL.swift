import Foundation

/// A URL taken apart strictly: `scheme://[userinfo@]host[:port][/path...]`, nothing a client
/// might read differently (backslashes, spaces, control characters, escapes in the host).
struct ParsedURL {
    var scheme: String
    var host: String
    var port: Int?
    var hasUserInfo: Bool
    var path: Substring

    var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    init?(_ text: String, allowWildcard: Bool) {
        guard !text.contains(where: { $0 == "\\" || $0.isWhitespace || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) }),
            let separator = text.range(of: "://")
        else { return nil }
        scheme = text[..<separator.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        let rest = text[separator.upperBound...]
        let end = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        var authority = rest[..<end]
        path = rest[end...]
        hasUserInfo = false
        if let at = authority.lastIndex(of: "@") {
            hasUserInfo = true
            authority = authority[authority.index(after: at)...]
        }
        var hostPart = authority
        port = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()), (1...65535).contains(number) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
        }
        var host = hostPart.lowercased()
        if host.hasSuffix("."), !host.hasPrefix("[") { host.removeLast() }
        guard !host.isEmpty else { return nil }
        if host.hasPrefix("[") {
            guard HostClass.ipv6(host) != nil else { return nil }
        } else {
            let allowed: (Character) -> Bool = {
                $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" || (allowWildcard && $0 == "*"))
            }
            guard host.allSatisfy(allowed), !host.contains("..") else { return nil }
        }
        self.host = host
    }
}
