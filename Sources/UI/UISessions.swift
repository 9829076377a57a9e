import Foundation
import Synchronization

/// The UI's signed-in sessions, held in this process's memory: the cookie carries only a random
/// id; the session holds the gateway token it reads with, who that is, and the session's CSRF
/// token. In memory, not in Postgres, because the UI reaches nothing but the gateway (no
/// database credentials); the price is that a restart signs everyone out and that replicas of
/// the UI do not share sessions (run one, or route a browser to the same one).
public final class UISessions: Sendable {
    /// One signed-in browser.
    struct Session: Sendable {
        var id: String
        /// The bearer token from `POST /auth/token`: the API key itself is not kept.
        var token: String
        var subject: String
        var role: String
        var csrf: String
        var created: Date
        var lastSeen: Date
        /// The earliest of the absolute limit and the token's expiry.
        var expires: Date

        /// Whether the role may change things (editor and above); viewers see read-only pages.
        var mayEdit: Bool { ["editor", "executor", "admin"].contains(role) }
    }

    /// How long a session may sit unused, and how long it may live at most.
    public let idleSeconds: TimeInterval
    public let absoluteSeconds: TimeInterval
    /// At most this many sessions; beyond it the least recently used one is dropped.
    public let capacity: Int
    private let sessions = Mutex<[String: Session]>([:])

    public init(idleSeconds: TimeInterval = 30 * 60, absoluteSeconds: TimeInterval = 8 * 3600, capacity: Int = 10_000) {
        self.idleSeconds = idleSeconds
        self.absoluteSeconds = absoluteSeconds
        self.capacity = capacity
    }

    /// A new session for a token that expires at `tokenExpiry`.
    func create(token: String, subject: String, role: String, tokenExpiry: Date, now: Date = Date()) -> Session {
        let session = Session(
            id: Self.randomToken(), token: token, subject: subject, role: role, csrf: Self.randomToken(), created: now, lastSeen: now,
            expires: min(now.addingTimeInterval(absoluteSeconds), tokenExpiry))
        sessions.withLock { all in
            all = all.filter { isAlive($0.value, now: now) }
            if all.count >= capacity, let oldest = all.values.min(by: { $0.lastSeen < $1.lastSeen }) { all[oldest.id] = nil }
            all[session.id] = session
        }
        return session
    }

    /// The live session with this id, its idle clock restarted; an expired one is forgotten.
    func use(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { all in
            guard var session = all[id] else { return nil }
            guard isAlive(session, now: now) else {
                all[id] = nil
                return nil
            }
            session.lastSeen = now
            all[id] = session
            return session
        }
    }

    func remove(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }

    private func isAlive(_ session: Session, now: Date) -> Bool {
        now < session.expires && now.timeIntervalSince(session.lastSeen) < idleSeconds
    }

    /// 32 random bytes, base64url: session ids and CSRF tokens.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
