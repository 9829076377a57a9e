import Foundation
import Settings

/// Which URLs an external DatasetVersion may name (its download answers 307 to the URL, and
/// clients follow it). The server setting `external-url-allow` lists entries such as
/// `https://*`, `https://*.example.com`, `http://minio.internal:9000` or `http://10.0.0.5`;
/// unset, it is `https://*, http://*`. A `*` host means any *public* host: literal loopback,
/// link-local, private, shared, unspecified, multicast, reserved and cloud-metadata addresses,
/// and names such as `localhost`, are refused unless an entry names them (or their suffix)
/// explicitly. URLs with userinfo, backslashes, spaces or percent-escapes in the host are
/// always refused. Names are not resolved: clients never send credentials on a redirect (see
/// examples/training/train.py), so a public name that resolves inward gets no token.
public struct ExternalURLPolicy: Sendable, Hashable, CustomStringConvertible {
    public struct Rule: Sendable, Hashable {
        enum Host: Sendable, Hashable {
            /// Any public host.
            case anyPublic
            /// This name, or this address in canonical form.
            case exact(String)
            /// Names ending in `.suffix`.
            case suffix(String)
        }

        var scheme: String
        var host: Host
        var port: Int?
        var text: String
    }

    public var rules: [Rule]

    public static let settingName = "external-url-allow"
    public static let standard = try! ExternalURLPolicy(setting: "https://*, http://*")

    public var description: String { rules.map(\.text).joined(separator: ", ") }

    /// Parses the setting: entries separated by commas or spaces.
    public init(setting: String) throws(SettingError) {
        let entries = setting.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init)
        guard !entries.isEmpty else { throw SettingError("\(Self.settingName) lists no entries; give e.g. https://*, http://*") }
        rules = []
        for entry in entries {
            guard let parsed = ParsedURL(entry, allowWildcard: true), parsed.path.isEmpty || parsed.path == "/",
                ["http", "https"].contains(parsed.scheme), !parsed.hasUserInfo
            else {
                throw SettingError(
                    "\(Self.settingName): entry \"\(entry)\" must look like https://*, https://*.example.com, http://minio.internal:9000 or http://10.0.0.5 (http or https, a host or a * pattern, an optional port)"
                )
            }
            let host: Rule.Host
            if parsed.host == "*" {
                host = .anyPublic
            } else if parsed.host.hasPrefix("*.") {
                let suffix = String(parsed.host.dropFirst(2))
                guard !suffix.isEmpty, !suffix.contains("*") else {
                    throw SettingError("\(Self.settingName): entry \"\(entry)\": a pattern is * or *.domain")
                }
                host = .suffix(suffix)
            } else {
                guard !parsed.host.contains("*") else {
                    throw SettingError("\(Self.settingName): entry \"\(entry)\": a pattern is * or *.domain")
                }
                host = .exact(HostClass.canonical(parsed.host))
            }
            rules.append(Rule(scheme: parsed.scheme, host: host, port: parsed.port, text: entry))
        }
    }

    /// nil when `url` may be used; otherwise why not, naming the setting that would allow it.
    public func refusal(_ url: String) -> String? {
        guard let parsed = ParsedURL(url, allowWildcard: false) else {
            return "it is not an http(s) URL this server can check (no spaces, backslashes or percent-escapes in the host)"
        }
        if parsed.hasUserInfo {
            return
                "it carries a user name or password (user:secret@host); credentials never go in a version's URL: use a pre-signed URL or a public one"
        }
        let host = HostClass.canonical(parsed.host)
        let special = HostClass.special(parsed.host)
        let allowed = rules.contains { rule in
            guard rule.scheme == parsed.scheme, rule.port == nil || rule.port == parsed.effectivePort else { return false }
            switch rule.host {
            case .anyPublic: return special == nil
            case .exact(let name): return name == host
            case .suffix(let suffix): return host.hasSuffix("." + suffix)
            }
        }
        guard !allowed else { return nil }
        let what =
            special.map { "names \($0) (\(parsed.host))" } ?? "names \(parsed.scheme)://\(parsed.host)\(parsed.port.map { ":\($0)" } ?? "")"
        return "it \(what), which the server's \(Self.settingName) setting (\(description)) does not allow; "
            + "an admin can allow it by listing it there, e.g. \(Self.settingName): \"\(description), \(parsed.scheme)://\(parsed.host)\(parsed.port.map { ":\($0)" } ?? "")\""
    }
}
