import Curl
import Foundation
import Testing

/// A signed-in UI session over plain HTTP, as a browser without JavaScript holds it: the sign-in
/// form's nonce cookie, the posted key, then the session cookie on every request.
struct UISession {
    let server: TestServer
    let cookie: String

    static func signIn(_ server: TestServer, key: String) async throws -> UISession {
        let form = try await server.request("GET", "/ui/sign-in", key: nil)
        #expect(form.status == 200)
        let nonceCookie = try #require(form.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let nonce = try #require(nonceCookie.split(separator: "=", maxSplits: 1).last.map(String.init))
        #expect(form.text.contains("value=\"\(nonce)\""), "the form carries the nonce its cookie holds")
        let signIn = try await server.request(
            "POST", "/ui/sign-in", body: .bytes(Array("signin=\(nonce)&key=\(key)".utf8)),
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", nonceCookie)], key: nil)
        #expect(signIn.status == 303 && signIn.header("Location") == "/ui/", "\(signIn.status) \(signIn.text)")
        let cookie = try #require(signIn.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        #expect(cookie.hasPrefix("dp_ui_session="))
        return UISession(server: server, cookie: cookie)
    }

    func get(_ path: String) async throws -> HTTPResponse {
        try await server.request("GET", path, headers: [("Cookie", cookie)], key: nil)
    }
}
