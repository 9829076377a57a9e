import APIClient
import Foundation
import Hummingbird
import ServiceKit

/// Signing in with an API key. The form carries a one-time value that must match a SameSite=Strict
/// cookie set with the form, so another site cannot sign a browser in to an account of its
/// choosing (login CSRF). The key is exchanged for a token at the gateway and then forgotten.
extension UIRoutes {
    func signInForm(_ request: Request, message: HTML? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let nonce = UISessions.randomToken()
        let body: HTML = """
            \(message ?? "")
            <form class="signin" method="post" action="/ui/sign-in">
            <input type="hidden" name="signin" value="\(nonce)">
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button>
            <p class="muted">An admin makes keys with <code>POST /auth/api-keys</code>. The key is exchanged for a token and not kept.</p>
            </form>
            """
        var response = UIResponse.html(Layout.page(title: "Sign in", section: .none, session: nil, body: body), status: status)
        response.setCookie(cookie(Self.signInCookie, nonce, request))
        return response
    }

    func signIn(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let form: FormBody
        do {
            form = try await formBody(request)
        } catch {
            return signInForm(request, message: Layout.notice("The form could not be read.", error: true), status: .badRequest)
        }
        guard let nonce = form["signin"], let expected = request.cookies[Self.signInCookie]?.value, UISessions.same(nonce, expected) else {
            return signInForm(
                request, message: Layout.notice("This sign-in form is not one this page gave you; try again.", error: true),
                status: .forbidden)
        }
        let key = (form["key"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else {
            return signInForm(request, message: Layout.notice("Enter an API key.", error: true), status: .badRequest)
        }
        let identity: (token: String, subject: String, role: String, expires: Date)
        do {
            identity = try await gateway.signIn(key: key)
        } catch let error as APIError where error.code == .unauthorized || error.code == .forbidden {
            return signInForm(
                request, message: Layout.notice("The gateway did not accept that API key.", error: true), status: .unauthorized)
        } catch {
            return signInForm(
                request, message: Layout.notice("The gateway could not be reached; try again.", error: true), status: .badGateway)
        }
        let session = sessions.create(token: identity.token, subject: identity.subject, role: identity.role, tokenExpiry: identity.expires)
        var response = UIResponse.redirect("/ui/")
        response.setCookie(cookie(Self.sessionCookie, session.id, request))
        response.setCookie(cookie(Self.signInCookie, "", request, clear: true))
        return response
    }
}
