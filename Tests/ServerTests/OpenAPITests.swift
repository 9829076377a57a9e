import DataPilotServer
import Foundation
import Gateway
import Manifests
import ObjectStore
import Postgres
import Prometheus
import ServiceKit
import TestSupport
import Testing

@Suite struct OpenAPITests {
    /// (method, path) pairs of docs/openapi.yaml.
    func documented() throws -> Set<RouteDescription> {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        guard case .success(let document) = JSONText.parse(text) else { throw SetupError(.badFixture, "docs/openapi.yaml is not YAML") }
        #expect(document["openapi"]?.stringValue?.hasPrefix("3.1") == true)
        var routes: Set<RouteDescription> = []
        for path in document["paths"]?.objectValue ?? [] {
            for operation in path.value.objectValue ?? [] where ["get", "put", "post", "delete", "patch", "head"].contains(operation.key) {
                routes.insert(RouteDescription(method: operation.key.uppercased(), path: path.key))
            }
        }
        return routes
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let api = Server.routes(
            pool: ConnectionPool(conninfo: "", maxConnections: 1),
            store: try FileObjectStore(root: folder.path), credentials: TokenAuthority(signingKey: [1, 2, 3]),
            spoolDirectory: folder.path, maxUploadBytes: 1, metrics: PrometheusCollectorRegistry())
        // MLflow's web UI asks under /ajax-api/ for what its client asks under /api/: aliases,
        // documented once, under /api/ (docs/mlflow.md).
        let aliases = Set(api.routes.filter { $0.path.hasPrefix("/ajax-api/") })
        let served = Set(api.routes).subtracting(aliases)
        #expect(!aliases.isEmpty)
        for alias in aliases {
            let twin = RouteDescription(method: alias.method, path: "/api/" + alias.path.dropFirst("/ajax-api/".count))
            #expect(served.contains(twin), "\(alias) has no /api/ twin")
        }
        let written = try documented()
        #expect(served.subtracting(written).sorted() == [], "served but not in docs/openapi.yaml")
        #expect(written.subtracting(served).sorted() == [], "in docs/openapi.yaml but not served")
        #expect(served.count >= 20)
    }

    @Test func theServerServesTheDocumentAndItsMetrics() async throws {
        try await withServer { server in
            let document = try await server.request("GET", "/openapi.yaml", key: nil)
            #expect(document.status == 200)
            #expect(document.text == (try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)))
            _ = try await server.request("GET", "/api/datasets")
            _ = try await server.request("GET", "/api/datasets/nope")
            let metrics = try await server.request("GET", "/metrics", key: nil)
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = metrics.text.split(separator: "\n")
            #expect(lines.contains { $0.contains("/api/datasets/{name}") && $0.contains("404") }, "\(metrics.text.prefix(2000))")
            #expect(lines.contains { $0.hasPrefix("# TYPE") && $0.contains("duration") })
        }
    }
}
