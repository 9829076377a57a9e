import APIClient
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// The web UI under `/ui/`: server-rendered pages that read through the gateway's API with the
/// signed-in user's token (`UIGateway`), sessions in `UISessions`, and the sign-in and
/// sign-out forms. Registered on the Hummingbird router beside the API but not in the API's
/// route table: these are pages, not API routes.
public struct UIRoutes: Sendable {
    let gateway: UIGateway
    let sessions: UISessions
    /// Whether cookies get `Secure` whatever the request says (the server's public URL is https).
    let secureCookies: Bool

    static let sessionCookie = "dp_ui_session"
    static let signInCookie = "dp_ui_signin"
    static let maxFormBytes = 16 << 10

    public init(gateway: UIGateway, sessions: UISessions = UISessions(), secureCookies: Bool) {
        self.gateway = gateway
        self.sessions = sessions
        self.secureCookies = secureCookies
    }

    public func register(on router: Router<APIRequestContext>) {
        router.get("/ui/static/ui.css") { _, _ in UIResponse.asset(Assets.stylesheet, contentType: "text/css; charset=utf-8") }
        router.get("/ui/static/ui.js") { _, _ in UIResponse.asset(Assets.script, contentType: "text/javascript; charset=utf-8") }
        router.get("/ui/sign-in") { request, _ in signInForm(request) }
        router.post("/ui/sign-in") { request, context in try await signIn(request, context) }
        router.post("/ui/sign-out") { request, context in
            try await action(request, context) { session, _ in
                sessions.remove(session.id)
                var response = UIResponse.redirect("/ui/sign-in")
                response.setCookie(cookie(Self.sessionCookie, "", request, clear: true))
                return response
            }
        }
        // "/ui" and "/ui/" are one route to Hummingbird.
        router.get("/ui") { request, _ in await page(request) { session in try await overview(session) } }
        router.get("/ui/datasets") { request, _ in await page(request) { session in try await datasets(session, request) } }
        router.get("/ui/datasets/:name") { request, context in
            let name = try Self.parameter(context, "name")
            return await page(request) { session in try await dataset(session, name: name) }
        }
        router.get("/ui/datasets/:name/versions/:version") { request, context in
            let name = try Self.parameter(context, "name"), version = try Self.parameter(context, "version")
            return await page(request) { session in try await datasetVersion(session, dataset: name, version: version) }
        }
        router.get("/ui/datasets/:name/versions/:version/download") { request, context in
            let name = try Self.parameter(context, "name"), version = try Self.parameter(context, "version")
            return await page(request) { session in try await versionDownload(session, dataset: name, version: version) }
        }
        router.get("/ui/runs/:name/artifacts/:artifact") { request, context in
            let name = try Self.parameter(context, "name"), artifact = try Self.parameter(context, "artifact")
            return await page(request) { session in try await artifactDownload(session, run: name, artifact: artifact) }
        }
        router.post("/ui/datasets/:name/versions/:version/evaluate") { request, context in
            let name = try Self.parameter(context, "name"), version = try Self.parameter(context, "version")
            return try await action(request, context) { session, _ in try await evaluate(session, dataset: name, version: version) }
        }
        router.get("/ui/evaluations/:id") { request, context in
            let id = try Self.parameter(context, "id")
            return await page(request) { session in try await evaluation(session, id: id) }
        }
        router.get("/ui/evaluations/:id/report") { request, context in
            let id = try Self.parameter(context, "id")
            return await page(request) { session in try await evaluationReport(session, id: id) }
        }
        router.get("/ui/quality") { request, _ in await page(request) { session in try await qualityRules(session, request) } }
        router.get("/ui/quality/:name") { request, context in
            let name = try Self.parameter(context, "name")
            return await page(request) { session in try await qualityRule(session, name: name) }
        }
        router.get("/ui/experiments") { request, _ in await page(request) { session in try await experiments(session, request) } }
        router.get("/ui/experiments/:name") { request, context in
            let name = try Self.parameter(context, "name")
            return await page(request) { session in try await experiment(session, name: name, request) }
        }
        router.get("/ui/runs") { request, _ in await page(request) { session in try await runs(session, request) } }
        router.get("/ui/runs/:name") { request, context in
            let name = try Self.parameter(context, "name")
            return await page(request) { session in try await run(session, name: name) }
        }
        router.get("/ui/lineage") { request, _ in await page(request) { session in try await lineage(session, request) } }
        router.get("/ui/audit") { request, _ in await page(request) { session in try await audit(session, request) } }
        router.get("/ui/audit/verify") { request, _ in await page(request) { session in try await auditVerify(session) } }
        router.get("/ui/audit/:sequence") { request, context in
            let sequence = try Self.parameter(context, "sequence")
            return await page(request) { session in try await auditEvent(session, sequence: sequence) }
        }
        router.get("/ui/sources") { request, _ in await page(request) { session in try await sources(session, request) } }
        router.get("/ui/sources/:name") { request, context in
            let name = try Self.parameter(context, "name")
            return await page(request) { session in try await source(session, name: name, request) }
        }
        router.post("/ui/sources/:name/:action") { request, context in
            let name = try Self.parameter(context, "name"), control = try Self.parameter(context, "action")
            return try await action(request, context) { session, _ in try await sourceAction(session, name: name, action: control) }
        }
        router.get("/ui/drift") { request, _ in await page(request) { session in try await drift(session, request) } }
        router.get("/ui/**") { request, _ in
            await page(request) { session in
                UIResponse.html(
                    Layout.page(
                        title: "Not found", section: .none, session: session, body: Layout.notice("There is no such page.", error: true)),
                    status: .notFound)
            }
        }
    }

    /// A read page: the signed-in session (else to the sign-in page), and any failure of the
    /// gateway shown as a page with the matching status.
    func page(_ request: Request, _ body: (UISessions.Session) async throws -> Response) async -> Response {
        guard let session = session(request) else { return UIResponse.redirect("/ui/sign-in") }
        do {
            return try await body(session)
        } catch {
            return failure(error, session: session, request: request)
        }
    }

    /// A state-changing form: a live session and its CSRF token in the form, or 403.
    func action(
        _ request: Request, _ context: APIRequestContext, _ body: (UISessions.Session, FormBody) async throws -> Response
    ) async throws -> Response {
        guard let session = session(request) else {
            return refusal("You are not signed in (or your session ended). Sign in and try again.", status: .forbidden, session: nil)
        }
        let form: FormBody
        do {
            form = try await formBody(request)
        } catch {
            return refusal("The form could not be read.", status: .badRequest, session: session)
        }
        guard let sent = form["csrf"], UISessions.same(sent, session.csrf) else {
            return refusal(
                "This form was not sent from a page of your session (its CSRF token is missing or wrong); nothing was changed.",
                status: .forbidden, session: session)
        }
        do {
            return try await body(session, form)
        } catch {
            return failure(error, session: session, request: request)
        }
    }

    /// A path parameter as the name it stands for: Hummingbird hands it over still percent-encoded.
    /// `.` and `..` are no names: put into an API path they would name another route.
    static func parameter(_ context: APIRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        let decoded = raw.removingPercentEncoding ?? raw
        guard decoded != ".", decoded != ".." else { throw HTTPError(.notFound) }
        return decoded
    }

    func session(_ request: Request) -> UISessions.Session? {
        guard let id = request.cookies[Self.sessionCookie]?.value, !id.isEmpty else { return nil }
        return sessions.use(id)
    }

    func formBody(_ request: Request) async throws -> FormBody {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw HTTPError(.unsupportedMediaType)
        }
        let buffer = try await request.body.collect(upTo: Self.maxFormBytes)
        return FormBody(Array(buffer.readableBytesView))
    }

    /// HttpOnly, SameSite=Strict, path /ui, and Secure behind TLS (the public URL is https,
    /// or the proxy in front says the request came over https).
    func cookie(_ name: String, _ value: String, _ request: Request, clear: Bool = false) -> Cookie {
        let secure = secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        return Cookie(name: name, value: value, maxAge: clear ? 0 : nil, path: "/ui", secure: secure, httpOnly: true, sameSite: .strict)
    }

    func refusal(_ message: String, status: HTTPResponse.Status, session: UISessions.Session?) -> Response {
        UIResponse.html(
            Layout.page(title: "Refused", section: .none, session: session, body: Layout.notice(message, error: true)), status: status)
    }

    /// The gateway's answer as a page: 401 means the session's token no longer works (revoked
    /// key, expired token), so the session ends.
    func failure(_ error: any Error, session: UISessions.Session, request: Request) -> Response {
        guard let error = error as? APIError else {
            return refusal("Something went wrong while building this page.", status: .internalServerError, session: session)
        }
        let detail = error.problem?.detail ?? error.message
        switch error.code {
        case .unauthorized:
            sessions.remove(session.id)
            var response = UIResponse.redirect("/ui/sign-in")
            response.setCookie(cookie(Self.sessionCookie, "", request, clear: true))
            return response
        case .forbidden: return refusal("The gateway refused this for your role: \(detail)", status: .forbidden, session: session)
        case .notFound: return refusal("Not found: \(detail)", status: .notFound, session: session)
        case .invalid: return refusal("The gateway refused the request: \(detail)", status: .badRequest, session: session)
        case .conflict: return refusal("Conflict: \(detail)", status: .conflict, session: session)
        default: return refusal("The gateway could not answer: \(detail)", status: .badGateway, session: session)
        }
    }
}
