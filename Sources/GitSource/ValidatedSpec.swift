import Foundation
import Git
import Redaction

/// What `resolve` and `snapshot` need from a spec, checked once: the reference or pinned commit,
/// the URL's parts, and the manifests' folder as a clean repository path.
struct ValidatedSpec: Sendable {
    enum Target: Sendable, Hashable {
        case reference(String)
        case commit(String)
    }

    var target: Target
    var scheme: String
    var host: String
    var port: Int?
    /// The URL with any password removed, for messages.
    var displayURL: String
    /// `""` for the root, else `a/b` (no leading, trailing or doubled slashes, no `.` or `..`).
    var folder: String

    static let schemes: Set<String> = ["file", "git", "http", "https", "ssh"]

    init(_ spec: SourceSpec) throws(GitSourceError) {
        guard let url = URL(string: spec.url), let scheme = url.scheme?.lowercased(), Self.schemes.contains(scheme) else {
            throw GitSourceError(.invalidSpec, "url \"\(Self.redact(spec.url))\" is not a file://, git://, http(s):// or ssh:// URL")
        }
        self.scheme = scheme
        host = url.host ?? ""
        port = url.port
        displayURL = Self.redact(spec.url)
        guard scheme == "file" || !host.isEmpty else {
            throw GitSourceError(.invalidSpec, "url \"\(displayURL)\" names no host")
        }
        target = try Self.target(spec.ref)
        folder = try Self.folder(spec.path)
        guard spec.timeoutSeconds > 0 else {
            throw GitSourceError(.invalidSpec, "timeoutSeconds must be positive, not \(spec.timeoutSeconds)")
        }
        try Self.checkAuth(spec.auth, scheme: scheme)
    }

    static func target(_ ref: String) throws(GitSourceError) -> Target {
        let hex = Set("0123456789abcdef")
        if ref.count == 40, ref.allSatisfy({ hex.contains($0) }) { return .commit(ref) }
        guard ref.hasPrefix("refs/"), ReferenceName.isValid(ref) else {
            throw GitSourceError(
                .invalidSpec,
                "ref \"\(ref)\" is neither a full reference name (refs/heads/main, refs/tags/v1) nor a 40-hex lower-case commit id; write the full name"
            )
        }
        return .reference(ref)
    }

    static func folder(_ path: String) throws(GitSourceError) -> String {
        guard !path.hasPrefix("/") else {
            throw GitSourceError(.invalidSpec, "path \"\(path)\" must be relative to the repository root")
        }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.contains("..") else {
            throw GitSourceError(.invalidSpec, "path \"\(path)\" may not contain \"..\"; name a folder inside the repository")
        }
        return parts.joined(separator: "/")
    }

    static func checkAuth(_ auth: GitAuth, scheme: String) throws(GitSourceError) {
        switch auth {
        case .none: break
        case .basic:
            guard scheme == "http" || scheme == "https" else {
                throw GitSourceError(.invalidSpec, "basic authentication needs an http(s):// URL, not \(scheme)://")
            }
        case .sshKey(_, let path, let key, _, _):
            guard scheme == "ssh" else {
                throw GitSourceError(.invalidSpec, "an SSH key needs an ssh:// URL, not \(scheme)://")
            }
            guard (path == nil) != (key == nil) else {
                throw GitSourceError(
                    .invalidSpec, "give the SSH private key either as a file (privateKeyPath) or inline (privateKey), exactly one")
            }
        }
    }

    /// Removes the credentials from `scheme://user:password@host/...` (see `Redact`).
    static func redact(_ url: String) -> String { Redact.credentials(url) }
}
