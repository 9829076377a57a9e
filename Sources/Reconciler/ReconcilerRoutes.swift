import APIModel
import Foundation
import Hummingbird
import Manifests
import Notifications
import ServiceKit

/// The reconciler's port: `/status`, `/healthz`, `/readyz`, `/metrics`, the webhook
/// receiver `POST /hooks/{source}` and the operator controls under `/sources` (`ControlRoutes`).
struct ReconcilerRoutes: Sendable {
    let store: StatusStore
    let metrics: ReconcilerMetrics
    let sources: SourceSet
    let deliveries: WebhookDeliveries
    let verifier = WebhookVerifier()
    /// Rings the source's worker when this replica holds it; false when another replica does.
    let ring: @Sendable (String) -> Bool
    /// The notification delivery log, `GET /notifications` (`dpctl notifications log`).
    var notificationLog: NotificationLog? = nil
    /// The operator controls, `/sources` (`dpctl source ...`).
    var controls: ControlRoutes? = nil

    func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        let api = APIRouter(router: router)
        api.get("/healthz") { _, _ in Response.json(["status": "ok"]) }
        api.get("/readyz") { _, _ in
            do {
                _ = try await store.status(historyPerSource: 0)
                return Response.json(["status": "ready"])
            } catch {
                throw Problem(.serviceUnavailable, title: "Not ready", detail: "the status database is unreachable: \(error)")
            }
        }
        api.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        api.get(ReconcilerStatus.route) { _, _ in Response.json(try await store.status().json) }
        api.post("/hooks/:source") { request, context in try await hook(request, context) }
        api.get("/notifications") { request, _ in try await notifications(request) }
        controls?.register(on: api)
        return router
    }

    /// `GET /notifications?source=NAME&limit=N`: deliveries, newest first (limit 1 to 1000, 50 by default).
    func notifications(_ request: Request) async throws -> Response {
        let limitText = request.uri.queryParameters["limit"].map(String.init) ?? "50"
        guard let limit = Int(limitText), (1...1000).contains(limit) else {
            throw Problem(.badRequest, title: "Bad limit", detail: "limit: expected a number from 1 to 1000, got \"\(limitText)\"")
        }
        guard let notificationLog else { return Response.json(["deliveries": []]) }
        let source = request.uri.queryParameters["source"].map(String.init)
        return Response.json(try await notificationLog.list(source: source, limit: limit))
    }

    func hook(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = try context.parameters.require("source")
        guard let source = sources.source(name) else {
            metrics.webhook("unknown_source")
            throw Problem.notFound("source \"\(name)\"")
        }
        guard let secret = source.webhookSecret else {
            metrics.webhook("disabled")
            throw Problem(
                .forbidden, title: "Webhooks disabled",
                detail: "source \"\(name)\" has no webhook secret; set webhook-secret-file in the sources file")
        }
        let body: [UInt8]
        do {
            body = Array(buffer: try await request.body.collect(upTo: WebhookVerifier.maxBodyBytes))
        } catch {
            metrics.webhook("too_large")
            throw Problem(
                .contentTooLarge, title: "Payload too large",
                detail: "webhook payloads are limited to \(WebhookVerifier.maxBodyBytes) bytes")
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        switch verifier.verify(headers: headers, body: body, secret: secret) {
        case .failure(let rejection):
            metrics.webhook(rejection.rawValue)
            let detail =
                switch rejection {
                case .unsigned: "no X-Hub-Signature-256, X-Gitlab-Token or X-DataPilot-Signature header"
                case .forged: "the signature or token does not match this source's secret"
                case .replayed: "this delivery was already received"
                case .stale: "X-DataPilot-Timestamp is more than 5 minutes away from now"
                }
            throw Problem(.unauthorized, title: "Webhook rejected", detail: detail)
        case .success(let verified):
            // A replay is a well-signed request we already acted on: 409, nothing polled (docs/reconciler.md).
            let first: Bool
            do {
                first = try await deliveries.firstUse(source: name, keys: verified.replayKeys)
            } catch is WebhookDeliveries.Replayed {
                first = false
            } catch {
                metrics.webhook("unavailable")
                throw Problem(
                    .serviceUnavailable, title: "Cannot record the delivery",
                    detail: "the status database is unreachable; send the hook again later", headers: [.retryAfter: "5"])
            }
            guard first else {
                metrics.webhook("replayed")
                throw Problem(
                    .conflict, title: "Webhook replayed",
                    detail:
                        "this delivery (its delivery id\(verified.kind == "github" ? " or its body" : "")) was already received in the last 24 hours; nothing was done"
                )
            }
            metrics.webhook("accepted_" + verified.kind)
            if !ring(name) { try await store.requestPoll(name) }
            return Response.json(["source": .string(name), "accepted": true], status: .accepted)
        }
    }
}
