import Foundation

/// Links to a repository's pages on a forge the UI knows (github.com, gitlab.com): a commit's page,
/// and a file at a line of a commit. Any other host, an address that is not plainly `owner/name`,
/// or a commit that is not a full id gives no link: a link is only ever made of the known host, the
/// repository's own path segments (each checked) and the commit's hex digits.
struct ForgeLinks: Sendable, Hashable {
    enum Forge: String, Sendable {
        case github = "github.com"
        case gitlab = "gitlab.com"
    }

    let forge: Forge
    /// `owner/name` (GitHub) or `group/.../project` (GitLab), without `.git`.
    let path: String

    /// The forge repository of a remote address: `https://github.com/acme/data.git`,
    /// `git@github.com:acme/data.git`, `ssh://git@gitlab.com/group/sub/data`.
    init?(remote: String?) {
        guard let remote, !remote.isEmpty, remote.count <= 2048 else { return nil }
        var host: String, path: String
        if let url = URLComponents(string: remote), let scheme = url.scheme?.lowercased(),
            ["https", "http", "ssh", "git"].contains(scheme),
            let urlHost = url.host
        {
            host = urlHost.lowercased()
            if let port = url.port, !(scheme == "ssh" && port == 22) && !(scheme == "https" && port == 443) { return nil }
            path = url.path
        } else if let at = remote.firstIndex(of: "@"), let colon = remote[at...].firstIndex(of: ":"), !remote.contains("://") {
            // scp-like: git@github.com:acme/data.git
            host = String(remote[remote.index(after: at)..<colon]).lowercased()
            path = String(remote[remote.index(after: colon)...])
        } else {
            return nil
        }
        guard let forge = Forge(rawValue: host) else { return nil }
        if path.hasPrefix("/") { path.removeFirst() }
        if path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix(".git") { path.removeLast(4) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard segments.count >= 2, forge == .gitlab || segments.count == 2,
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.count <= 100 && $0.allSatisfy(allowed.contains) }),
            !segments.contains("-")
        else { return nil }
        self.forge = forge
        self.path = path
    }

    var repository: String { "https://\(forge.rawValue)/\(path)" }

    /// The commit's page; nil unless `commit` is a full 40-digit id.
    func commit(_ commit: String?) -> String? {
        guard let commit = Self.full(commit) else { return nil }
        return forge == .github ? "\(repository)/commit/\(commit)" : "\(repository)/-/commit/\(commit)"
    }

    /// `file` at `line` of `commit`; nil for a path that is absolute or climbs out (`..`).
    func file(_ file: String, line: Int, commit: String?) -> String? {
        guard let commit = Self.full(commit), line > 0, !file.hasPrefix("/"), !file.isEmpty,
            !file.split(separator: "/").contains(where: { $0 == ".." || $0 == "." })
        else { return nil }
        let encoded = file.split(separator: "/").map { String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "" }
        let tree = forge == .github ? "blob" : "-/blob"
        return "\(repository)/\(tree)/\(commit)/\(encoded.joined(separator: "/"))#L\(line)"
    }

    static func full(_ commit: String?) -> String? {
        guard let commit, commit.count == 40, commit.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return commit
    }
}
