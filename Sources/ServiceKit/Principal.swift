import Foundation

/// Who is calling: resolved by the gateway from a bearer token or API key.
public struct Principal: Sendable, Hashable {
    public var subject: String
    public var role: Role
    /// For run-scoped tokens: the only run they may post telemetry for.
    public var runID: String?
    /// True when the caller presented a token from /auth/token rather than an API key.
    public var viaToken: Bool
    /// For run-scoped tokens: the uid of the run they were issued for (a later run of the same
    /// name has another uid).
    public var runUID: String?
    /// The API key behind the caller (presented, or the one its token was issued for).
    public var apiKeyID: String?
    /// When the credential stops working (the API key's expiry, or the token's).
    public var expiresAt: Date?
    /// For tokens: when they were issued (a key whose secret changed since refuses them).
    public var issuedAt: Date?
    /// The API key's generation (bumped when its secret is replaced): a token of an older one is
    /// refused. A counter, not a time, so no clock decides it (nil: tokens from before it).
    public var keyGeneration: Int?
    /// What the key may do beyond its role (`provenance`: assert where a change came from).
    public var scopes: Set<Scope>

    public init(
        subject: String, role: Role, runID: String? = nil, viaToken: Bool = false, runUID: String? = nil,
        apiKeyID: String? = nil, expiresAt: Date? = nil, issuedAt: Date? = nil, scopes: Set<Scope> = [], keyGeneration: Int? = nil
    ) {
        self.subject = subject
        self.role = role
        self.runID = runID
        self.viaToken = viaToken
        self.runUID = runUID
        self.apiKeyID = apiKeyID
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.scopes = scopes
        self.keyGeneration = keyGeneration
    }

    /// Whether the server records this caller's X-DataPilot-Source-* headers as the change's
    /// provenance (and accepts its sync and drift events): only a key with the `provenance` scope
    /// (the reconciler's; the bootstrap admin key has it, for the one-machine setup). Not every
    /// admin: a person's admin key would otherwise hide its own edits from drift's "who changed
    /// it" behind the reconciler's tool name. Everyone else's headers are kept as a claim.
    public var assertsProvenance: Bool { scopes.contains(.provenance) }
}

/// A right an API key carries beyond its role, named in `scopes` when the key is made.
public enum Scope: String, Sendable, Hashable, CaseIterable, Codable {
    /// The reconciler's: its source headers (commit, author, path, tool) are the record, and it
    /// may post sync and drift events. Give it to the reconciler's key, not to people's.
    case provenance

    /// Scopes from their space-separated form (the column and the token claim, as OAuth writes
    /// them); words this server does not know are left out.
    public static func parse(_ text: String?) -> Set<Scope> {
        Set((text ?? "").split(separator: " ").compactMap { Scope(rawValue: String($0)) })
    }

    public static func format(_ scopes: Set<Scope>) -> String { scopes.map(\.rawValue).sorted().joined(separator: " ") }
}

/// Roles, from least to most powerful; `runner` stands apart (run-scoped tokens only).
/// `executor` is an editor that may also start code: executing a run is a privilege of its own,
/// not a side effect of write access (docs/security.md).
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case viewer, editor, executor, admin, runner

    /// Whether this role may do what `required` allows.
    public func satisfies(_ required: Role) -> Bool {
        switch (self, required) {
        case (.runner, .runner): return true
        case (.runner, _), (_, .runner): return false
        default: return rank >= required.rank
        }
    }

    var rank: Int {
        switch self {
        case .viewer: return 0
        case .editor: return 1
        case .executor: return 2
        case .admin: return 3
        case .runner: return -1
        }
    }
}
