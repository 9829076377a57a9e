import Crypto
import Foundation
import Manifests
import Postgres
import ServiceKit
import SigningKeys

/// The short-lived signed tokens API keys are exchanged for, and run-scoped tokens. Tokens are
/// `dpt.<payload>.<signature>`, base64url, HMAC-SHA256 with the key the payload's `kid` names.
/// The keys come from a key file or the environment (never the database), so every replica
/// given the same keys accepts every other's tokens, and keys rotate: a key that only verifies
/// still accepts the tokens it signed.
public struct TokenAuthority: Sendable {
    public let keys: SigningKeySet
    public let tokenLifetime: TimeInterval
    /// How long the gateway trusts its last look at an API key (revoked or not), in seconds.
    public let revocationCheckSeconds: Double

    public init(keys: SigningKeySet, tokenLifetime: TimeInterval = 3600, revocationCheckSeconds: Double = 5) {
        self.keys = keys
        self.tokenLifetime = tokenLifetime
        self.revocationCheckSeconds = revocationCheckSeconds
    }

    /// One signing key with the id `default` (tests and tools).
    public init(signingKey: [UInt8], tokenLifetime: TimeInterval = 3600) {
        self.init(keys: SigningKeySet(entries: [.init(id: "default", bytes: signingKey)]), tokenLifetime: tokenLifetime)
    }

    /// A run-scoped token: it posts telemetry and artifacts for the run with this name and uid and
    /// reads the run's inputs, only while that run is live (checked on every use); a week is only
    /// its outer bound.
    public func runToken(for run: String, uid: String) -> String {
        issueToken(for: Principal(subject: "run:\(run)", role: .runner, runID: run, runUID: uid), lifetime: 7 * 86_400).token
    }

    /// A token for `principal`, never outliving the API key it comes from.
    public func issueToken(for principal: Principal, now: Date = Date(), lifetime: TimeInterval? = nil) -> (token: String, expires: Date) {
        var expires = now.addingTimeInterval(lifetime ?? tokenLifetime)
        if let keyExpires = principal.expiresAt, keyExpires < expires { expires = keyExpires }
        let signer = keys.signer
        var payload: [JSONMember] = [
            JSONMember("sub", .string(principal.subject)), JSONMember("role", .string(principal.role.rawValue)),
            JSONMember("iat", .int(Int64(now.timeIntervalSince1970))), JSONMember("exp", .int(Int64(expires.timeIntervalSince1970))),
            JSONMember("kid", .string(signer.id)),
        ]
        if let key = principal.apiKeyID { payload.append(JSONMember("key", .string(key))) }
        if let generation = principal.keyGeneration { payload.append(JSONMember("kgen", .int(Int64(generation)))) }
        if let run = principal.runID { payload.append(JSONMember("run", .string(run))) }
        if let uid = principal.runUID { payload.append(JSONMember("run_uid", .string(uid))) }
        if !principal.scopes.isEmpty { payload.append(JSONMember("scope", .string(Scope.format(principal.scopes)))) }
        let body = Base64URL.encode(JSONValue.object(payload).canonicalJSON)
        return ("dpt.\(body).\(Self.sign(body, with: signer.bytes))", expires)
    }

    static func sign(_ body: String, with key: [UInt8]) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: key)))
    }

    public enum TokenCheck: Sendable {
        case valid(Principal, expires: Date)
        case invalid(String)
    }

    public func verify(token: String, now: Date = Date()) -> TokenCheck {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "dpt" else { return .invalid("not a DataPilot token") }
        let body = String(parts[1])
        // The key id is read before the signature is checked; nothing else is trusted until then.
        let unverified = Base64URL.decode(body).flatMap { try? JSONText.parse($0).get() }
        let key: SigningKeySet.Entry
        if let kid = unverified?["kid"]?.stringValue {
            guard let named = keys.key(id: kid) else {
                return .invalid(
                    "the token was signed with key \"\(kid.prefix(64))\", which this server no longer accepts (rotated out); get a new one from /auth/token"
                )
            }
            key = named
        } else {
            // Tokens from before key ids were signed with the key moved out of the database.
            key = keys.key(id: "legacy-db") ?? keys.signer
        }
        guard let given = Base64URL.decode(String(parts[2])),
            HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(body.utf8), using: SymmetricKey(data: key.bytes))
        else {
            return .invalid("the token's signature does not match; get a new one from /auth/token")
        }
        guard let payload = unverified, let subject = payload["sub"]?.stringValue,
            let role = payload["role"]?.stringValue.flatMap(Role.init(rawValue:)), let exp = payload["exp"]?.numberValue
        else {
            return .invalid("the token is malformed")
        }
        let expires = Date(timeIntervalSince1970: exp)
        guard expires > now else {
            return .invalid("the token expired at \(ISO8601DateFormatter().string(from: expires)); get a new one from /auth/token")
        }
        // Tokens from before the key claim name their API key in the subject.
        let apiKey = payload["key"]?.stringValue ?? (subject.hasPrefix("apikey:") ? String(subject.dropFirst("apikey:".count)) : nil)
        return .valid(
            Principal(
                subject: subject, role: role, runID: payload["run"]?.stringValue, viaToken: true,
                runUID: payload["run_uid"]?.stringValue, apiKeyID: apiKey, expiresAt: expires,
                issuedAt: payload["iat"]?.numberValue.map { Date(timeIntervalSince1970: $0) },
                scopes: Scope.parse(payload["scope"]?.stringValue), keyGeneration: payload["kgen"]?.numberValue.map { Int($0) }),
            expires: expires)
    }
}
