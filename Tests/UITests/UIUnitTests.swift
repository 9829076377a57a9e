import Foundation
import Testing

@testable import UI

/// The UI's pieces that need no server: escaping, form bodies, session expiry.
@Suite struct UIUnitTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("\"><img src=x onerror=1>", "&quot;&gt;&lt;img src=x onerror=1&gt;"),
        ("a & 'b'", "a &amp; &#39;b&#39;"),
        ("plain ü €", "plain ü €"),
    ])
    func valuesAreEscaped(value: String, escaped: String) {
        let fragment: HTML = "<td title=\"\(value)\">\(value)</td>"
        #expect(fragment.text == "<td title=\"\(escaped)\">\(escaped)</td>")
        let trusted: HTML = "<b>x</b>"
        let outer: HTML = "<p>\(trusted)</p>"
        #expect(outer.text == "<p><b>x</b></p>")
    }

    @Test(arguments: [
        ("csrf=abc&key=k%2By+z", ["csrf": "abc", "key": "k+y z"]),
        ("a=1&a=2", ["a": "1"]),
        ("flag&empty=", ["flag": "", "empty": ""]),
        ("bad=%zz", ["bad": "%zz"]),
        ("", [:]),
    ])
    func formBodiesAreDecoded(body: String, fields: [String: String]) {
        #expect(FormBody(Array(body.utf8)).fields == fields)
    }

    @Test func sessionsEndWhenIdleAtTheirLimitOrWithTheirToken() {
        let sessions = UISessions(idleSeconds: 60, absoluteSeconds: 600, capacity: 2)
        let start = Date(timeIntervalSince1970: 1_000_000)
        let session = sessions.create(token: "t", subject: "s", role: "viewer", tokenExpiry: start.addingTimeInterval(3600), now: start)
        #expect(session.id.count >= 43 && session.csrf != session.id)
        #expect(!session.mayEdit)
        // Used every 50 s: alive until the absolute limit.
        for step in 1...11 {
            #expect(sessions.use(session.id, now: start.addingTimeInterval(Double(step) * 50)) != nil, "at \(step * 50) s")
        }
        #expect(sessions.use(session.id, now: start.addingTimeInterval(601)) == nil, "past the absolute limit")
        #expect(sessions.use(session.id, now: start.addingTimeInterval(10)) == nil, "an ended session stays ended")

        let idle = sessions.create(token: "t", subject: "s", role: "editor", tokenExpiry: start.addingTimeInterval(3600), now: start)
        #expect(idle.mayEdit)
        #expect(sessions.use(idle.id, now: start.addingTimeInterval(61)) == nil, "idle too long")

        let short = sessions.create(token: "t", subject: "s", role: "admin", tokenExpiry: start.addingTimeInterval(30), now: start)
        #expect(sessions.use(short.id, now: start.addingTimeInterval(31)) == nil, "the token expired")

        let signedOut = sessions.create(token: "t", subject: "s", role: "admin", tokenExpiry: start.addingTimeInterval(3600), now: start)
        sessions.remove(signedOut.id)
        #expect(sessions.use(signedOut.id, now: start) == nil)
    }

    @Test func theLeastRecentlyUsedSessionMakesRoomAtCapacity() {
        let sessions = UISessions(capacity: 2)
        let now = Date()
        let a = sessions.create(token: "a", subject: "a", role: "viewer", tokenExpiry: now.addingTimeInterval(3600), now: now)
        let b = sessions.create(
            token: "b", subject: "b", role: "viewer", tokenExpiry: now.addingTimeInterval(3600), now: now.addingTimeInterval(1))
        _ = sessions.use(a.id, now: now.addingTimeInterval(2))
        let c = sessions.create(
            token: "c", subject: "c", role: "viewer", tokenExpiry: now.addingTimeInterval(3600), now: now.addingTimeInterval(3))
        #expect(sessions.use(a.id, now: now.addingTimeInterval(4)) != nil)
        #expect(sessions.use(b.id, now: now.addingTimeInterval(4)) == nil)
        #expect(sessions.use(c.id, now: now.addingTimeInterval(4)) != nil)
    }

    @Test func secretsCompareWhole() {
        #expect(UISessions.same("abc", "abc"))
        #expect(!UISessions.same("abc", "abd"))
        #expect(!UISessions.same("abc", "ab"))
        #expect(!UISessions.same("", ""))
    }
}
