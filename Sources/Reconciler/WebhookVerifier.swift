import Crypto
import Foundation
import Manifests

/// Checks a webhook against a source's shared secret. A valid hook only makes the owner poll
/// early; its content is never trusted (the commit comes from git). Replays are refused by the
/// caller through `WebhookDeliveries` (Postgres, 24 hours) with the keys a verified hook names.
///
/// - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`; the delivery id
///   (`X-GitHub-Delivery`) and the body's digest are each used once (the signature does not
///   cover the header, so a replay could change it).
/// - GitLab: `X-Gitlab-Token: <secret>` (compared in constant time); the body's digest and
///   `X-Gitlab-Event-UUID` (when sent) each used once (the token is static, the UUID unsigned).
/// - Generic: `X-DataPilot-Timestamp: <unix seconds>` and `X-DataPilot-Signature: sha256=<hex
///   HMAC-SHA256 of "<timestamp>.<body>">`, at most 5 minutes old, each signature used once.
struct WebhookVerifier: Sendable {
    static let maxBodyBytes = 1 << 20
    static let maxAge: Double = 300

    enum Rejection: String, Error {
        case unsigned, forged, replayed, stale
    }

    struct Verified: Sendable, Equatable {
        var kind: String
        /// What identifies this delivery, each to be used once.
        var replayKeys: [String]
    }

    func verify(headers: [String: String], body: [UInt8], secret: String, now: Date = Date()) -> Result<Verified, Rejection> {
        let key = SymmetricKey(data: Data(secret.utf8))
        if let signature = headers["x-hub-signature-256"] {
            guard Self.matches(signature, HMAC<SHA256>.authenticationCode(for: body, using: key)) else { return .failure(.forged) }
            var keys = ["github-body:" + Hex.encode(SHA256.hash(data: body))]
            if let delivery = headers["x-github-delivery"] { keys.append("github-delivery:" + delivery) }
            return .success(Verified(kind: "github", replayKeys: keys))
        }
        if let token = headers["x-gitlab-token"] {
            guard Self.constantTimeEqual(Array(token.utf8), Array(secret.utf8)) else { return .failure(.forged) }
            // The token is static and the UUID unsigned: the body's digest is used once too.
            var keys = ["gitlab-body:" + Hex.encode(SHA256.hash(data: body))]
            if let event = headers["x-gitlab-event-uuid"] { keys.append("gitlab-event:" + event) }
            return .success(Verified(kind: "gitlab", replayKeys: keys))
        }
        if let signature = headers["x-datapilot-signature"] {
            guard let stamp = headers["x-datapilot-timestamp"], let seconds = Double(stamp) else { return .failure(.unsigned) }
            let signed = Array((stamp + ".").utf8) + body
            guard Self.matches(signature, HMAC<SHA256>.authenticationCode(for: signed, using: key)) else { return .failure(.forged) }
            guard abs(now.timeIntervalSince1970 - seconds) <= Self.maxAge else { return .failure(.stale) }
            return .success(Verified(kind: "generic", replayKeys: ["generic-signature:" + signature.lowercased()]))
        }
        return .failure(.unsigned)
    }

    static func matches(_ header: String, _ mac: HMAC<SHA256>.MAC) -> Bool {
        guard header.hasPrefix("sha256=") else { return false }
        let expected = Array(("sha256=" + Hex.encode(mac)).utf8)
        return constantTimeEqual(Array(header.utf8), expected)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
