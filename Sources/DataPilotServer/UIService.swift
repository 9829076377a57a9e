import Foundation
import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle
import UI

extension Server {
    /// The web UI's pages (`/ui/`) on `router` when this process runs the `ui` service or the
    /// gateway (so the all-in-one process too); the pages read through the gateway's API, never
    /// the database.
    static func mountUI(on router: Router<APIRequestContext>, _ configuration: ServerConfiguration) {
        guard configuration.runs(.ui) || configuration.services.contains(.gateway) else { return }
        UIRoutes(gateway: UIGateway(url: configuration.uiGatewayURL), secureCookies: configuration.effectivePublicURL.hasPrefix("https://"))
            .register(on: router)
    }

    /// `--service ui` alone: the pages and `/healthz`, no database, no object store, no keys;
    /// everything through `gateway-url`.
    static func runUIOnly(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.get("/healthz") { _, _ in Response.json(["status": "ok"]) }
        mountUI(on: router, configuration)
        var limits = configuration.connectionLimits
        limits.fitOpenFileLimit(logger: logger)
        let app = Application(
            router: router, server: limits.server(logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.effectivePort), serverName: "datapilot"),
            onServerRunning: { channel in
                logger.info(
                    "datapilot-server listening",
                    metadata: [
                        "address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"), "services": "ui",
                        "gateway": .string(configuration.uiGatewayURL),
                    ])
            },
            logger: logger)
        try await ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }
}

extension ServerConfiguration {
    /// Where the UI reaches the gateway: `gateway-url`, else this process's own listener on loopback.
    var uiGatewayURL: String {
        if let gatewayURL { return gatewayURL }
        let local: String
        switch host {
        case "0.0.0.0", "", "localhost": local = "127.0.0.1"
        case "::": local = "[::1]"
        default: local = host.contains(":") ? "[\(host)]" : host
        }
        return "http://\(local):\(effectivePort)"
    }
}
