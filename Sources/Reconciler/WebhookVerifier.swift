import Crypto
import Foundation
import Manifests
import Synchronization

/// Checks a webhook against a source's shared secret. A valid hook only makes the owner poll
/// early; its content is never trusted (the commit comes from git).
///
/// - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, replay guarded by
///   `X-GitHub-Delivery`.
/// - GitLab: `X-Gitlab-Token: <secret>` (compared in constant time), replay guarded by
///   `X-Gitlab-Event-UUID` when sent.
/// - Generic: `X-DataPilot-Timestamp: <unix seconds>` and `X-DataPilot-Signature: sha256=<hex
///   HMAC-SHA256 of "<timestamp>.<body>">`, at most 5 minutes old, each signature used once.
struct WebhookVerifier: Sendable {
    static let maxBodyBytes = 1 << 20
    static let maxAge: Double = 300

    enum Rejection: String, Error {
        case unsigned, forged, replayed, stale
    }

    let replays = ReplayGuard()

    func verify(headers: [String: String], body: [UInt8], secret: String, now: Date = Date()) -> Result<String, Rejection> {
        let key = SymmetricKey(data: Data(secret.utf8))
        if let signature = headers["x-hub-signature-256"] {
            guard Self.matches(signature, HMAC<SHA256>.authenticationCode(for: body, using: key)) else { return .failure(.forged) }
            if let delivery = headers["x-github-delivery"], !replays.firstUse("github:" + delivery, now: now) { return .failure(.replayed) }
            return .success("github")
        }
        if let token = headers["x-gitlab-token"] {
            guard Self.constantTimeEqual(Array(token.utf8), Array(secret.utf8)) else { return .failure(.forged) }
            if let event = headers["x-gitlab-event-uuid"], !replays.firstUse("gitlab:" + event, now: now) { return .failure(.replayed) }
            return .success("gitlab")
        }
        if let signature = headers["x-datapilot-signature"] {
            guard let stamp = headers["x-datapilot-timestamp"], let seconds = Double(stamp) else { return .failure(.unsigned) }
            let signed = Array((stamp + ".").utf8) + body
            guard Self.matches(signature, HMAC<SHA256>.authenticationCode(for: signed, using: key)) else { return .failure(.forged) }
            guard abs(now.timeIntervalSince1970 - seconds) <= Self.maxAge else { return .failure(.stale) }
            guard replays.firstUse("generic:" + signature, now: now) else { return .failure(.replayed) }
            return .success("generic")
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

/// Delivery ids and signatures seen in the last 10 minutes (at most 10,000 kept).
final class ReplayGuard: Sendable {
    private let seen = Mutex<[String: Date]>([:])

    func firstUse(_ id: String, now: Date) -> Bool {
        seen.withLock { seen in
            if seen.count > 10_000 || seen.count % 256 == 0 { seen = seen.filter { now.timeIntervalSince($0.value) < 600 } }
            if let at = seen[id], now.timeIntervalSince(at) < 600 { return false }
            seen[id] = now
            return true
        }
    }
}
